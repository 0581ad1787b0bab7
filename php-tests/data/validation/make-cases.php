<?php
// Writes cases.json: mutants of base.json with the verdict and first violation GLPI's own
// inventory_format library gives them, so that the project's tests keep checking them
// without the library.  usage: php make-cases.php /path/to/oracle/inventory_format > cases.json

declare(strict_types=1);

function shared_corpus(): ?string
{
    return null;
}

require_once __DIR__ . '/../../support/ValidationCases.php';
require_once ($argv[1] ?? '') . '/autoload.php';

$base = json_decode(file_get_contents(__DIR__ . '/base.json'));
$imported = \Swaggest\JsonSchema\Schema::import((new \Glpi\Inventory\Schema())->build());
$cases = [];
$chosen = [
    ['op' => 'set', 'at' => '/content/network_ports', 'value' => [(object)['ifstatus' => '9']]],
    ['op' => 'set', 'at' => '/content/network_ports', 'value' => [(object)['ifstatus' => 0, 'ifportduplex' => 3]]],
    ['op' => 'set', 'at' => '/content/network_ports', 'value' => [(object)['ifinternalstatus' => ' 3 ', 'connections' => [(object)['mac' => 1]], 'vlans' => [(object)['id' => 'x']]]]],
    ['op' => 'set', 'at' => '/content/virtualmachines', 'value' => [(object)['name' => 'vm', 'ipaddress' => 'fe80::1%eth0']]],
    ['op' => 'set', 'at' => '/content/virtualmachines', 'value' => [(object)['name' => 'vm', 'ipaddress' => 'fe80::1']]],
    ['op' => 'set', 'at' => '/content/modems', 'value' => [(object)['name' => 'm', 'imei' => ['1', 2]]]],
    ['op' => 'set', 'at' => '/content/modems', 'value' => [(object)['name' => 'm', 'imei' => '1']]],
    ['op' => 'set', 'at' => '/content/networks/0/ipaddress', 'value' => '01.2.3.4'],
    ['op' => 'set', 'at' => '/content/networks/0/ipaddress6', 'value' => 'fe80::1%eth0'],
    ['op' => 'set', 'at' => '/content/bios/bdate', 'value' => '2019-54-17'],
    ['op' => 'set', 'at' => '/content/bios/bdate', 'value' => '17/05/2019'],
    ['op' => 'set', 'at' => '/itemtype', 'value' => "Computer\n"],
    ['op' => 'set', 'at' => '/itemtype', 'value' => "Computer\n\n"],
    ['op' => 'set', 'at' => '/content/hardware/memory', 'value' => 12.0],
    ['op' => 'set', 'at' => '/content/hardware/memory', 'value' => 1e300],
    ['op' => 'set', 'at' => '/content/hardware/memory', 'value' => '1e3'],
    ['op' => 'set', 'at' => '/partial', 'value' => 'yes'],
    ['op' => 'set', 'at' => '/partial', 'value' => 'maybe'],
    ['op' => 'set', 'at' => '/content/storages/0/interface', 'value' => 7],
    ['op' => 'remove', 'at' => '/content/versionclient'],
];
foreach (array_merge($chosen, ValidationCases::mutants($base, 400, 20261203)) as $m) {
    if ($m['op'] === 'huge') {
        $m['count'] = min($m['count'], 200);
    }
    $cases[] = ['mutation' => $m, 'expected' => ValidationCases::oracleVerdict($imported, ValidationCases::apply($base, $m))];
}
echo json_encode($cases, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_UNICODE), "\n";
