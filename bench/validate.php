<?php
// Inventory validation cost, in one process, per inventory size:
//   (a) GLPI's per-request schema work (Inventory::setData() + doInventory(): the schema
//       read, built, imported into swaggest and run, plus two more builds), with GLPI's
//       own inventory_format library (../shared/oracle/inventory_format);
//   (b) swaggest with the schema imported once (the best GLPI's library can do);
//   (c) Inventory::validate(), strict and lenient.
// Inputs: the shared corpus inventories and a 20 MB network inventory made from
// networkequipment_2.json by repeating its ports. Peak memory of (c) on the 20 MB document
// is measured in a child process (VmHWM, reset before the call): the Rust side allocates
// outside PHP's memory manager.
//
//   php -d extension=target/release/libglpi_agent_protocol.so bench/validate.php [--budget=S] [--markdown]
declare(strict_types=1);

use GlpiAgentProtocol\Inventory;

$root = dirname(__DIR__);
$shared = getenv('GAP_SHARED_CORPUS') ?: $root . '/../shared/corpus';
$oracle = getenv('GAP_SHARED_ORACLE') ?: dirname($shared) . '/oracle/inventory_format';
$opts = getopt('', ['budget:', 'markdown', 'peak:']);
$budget = (float) ($opts['budget'] ?? 2.0);

if (isset($opts['peak'])) {
    // Child: decoded message, then one validation with the peak RSS reset just before it.
    $doc = json_decode(file_get_contents($opts['peak']));
    Inventory::validate($doc);  // compile the schema first: its cost is once per process
    $rss = static fn (string $k): int => (int) preg_replace('/\D/', '', preg_grep("/^$k:/", file('/proc/self/status'))[array_key_first(preg_grep("/^$k:/", file('/proc/self/status')))]);
    gc_collect_cycles();
    @file_put_contents('/proc/self/clear_refs', '5');
    $before = $rss('VmRSS');
    foreach (['strict', 'lenient'] as $mode) {
        Inventory::validate($doc, ['mode' => $mode]);
    }
    echo json_encode(['before_kb' => $before, 'hwm_kb' => $rss('VmHWM')]), "\n";
    exit(0);
}

if (!is_file("$oracle/autoload.php")) {
    fwrite(STDERR, "GLPI's inventory_format library is not at $oracle: only (c) is measured\n");
    $oracle = null;
} else {
    require_once "$oracle/autoload.php";
}

/** Median wall time (ms) of $fn, after a warm-up, within $budget seconds (at least 5 runs). */
function median_ms(callable $fn, float $budget): float
{
    // The cycle collector's buffer is emptied first: GLPI's and swaggest's runs leave it full
    // of their garbage, and whichever side runs next would pay for collecting it (measured:
    // computer_3 validated in 4.9 ms after them, 1.7 ms with the collector off).
    gc_collect_cycles();
    $fn();
    $samples = [];
    $start = hrtime(true);
    do {
        $t = hrtime(true);
        $fn();
        $samples[] = (hrtime(true) - $t) / 1e6;
    } while (count($samples) < 5 || ((hrtime(true) - $start) / 1e9 < $budget && count($samples) < 200));
    sort($samples);
    return $samples[intdiv(count($samples), 2)];
}

$files = [];
foreach (['inventories/lxc-server-1.json', 'inventories/01-computer_with_software.json', 'glpi-agent-inventory-local-nosoftware.json',
          'inventories/computer_1.json', 'glpi-agent-inventory-local.json', 'inventories/networkequipment_2.json',
          'inventories/computer_3.json'] as $f) {
    if (is_file("$shared/$f")) {
        $files[basename($f)] = file_get_contents("$shared/$f");
    }
}
if (isset($files['networkequipment_2.json'])) {
    $net = json_decode($files['networkequipment_2.json']);
    $ports = $net->content->network_ports;
    $big = $ports;
    for ($i = 1; strlen(json_encode($big)) < 20_000_000; $i++) {
        foreach ($ports as $p) {
            $q = clone $p;
            $q->ifnumber = ($p->ifnumber ?? 0) + 100000 * $i;
            $big[] = $q;
        }
    }
    $net->content->network_ports = $big;
    $files['network-20MB.json'] = json_encode($net, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}
if ($files === []) {
    fwrite(STDERR, "no corpus at $shared\n");
    exit(2);
}

$imported = $oracle ? \Swaggest\JsonSchema\Schema::import((new \Glpi\Inventory\Schema())->build()) : null;
$rows = [];
foreach ($files as $name => $json) {
    $doc = json_decode($json);
    $row = ['name' => $name, 'bytes' => strlen($json)];
    if ($oracle) {
        $row['glpi'] = median_ms(static function () use ($doc): void {
            $schema = (new \Glpi\Inventory\Converter())->getSchema();
            $schema->setExtraItemtypes([]);
            try {
                $schema->validate($doc);
            } catch (\RuntimeException) {
            }
            (new \Glpi\Inventory\Converter())->getSchema()->build();
            (new \Glpi\Inventory\Converter())->getSchema()->build();
        }, $budget);
        $row['swaggest'] = median_ms(static function () use ($doc, $imported): void {
            $ctx = new \Swaggest\JsonSchema\Context();
            $ctx->tolerateStrings = true;
            try {
                $imported->in($doc, $ctx);
            } catch (\Exception) {
            }
        }, $budget);
    }
    // A document of its own, as json_decode gives it, as the endpoint validates it.
    $fresh = json_decode($json);
    $row['strict'] = median_ms(static fn () => Inventory::validate($fresh), $budget);
    $row['lenient'] = median_ms(static fn () => Inventory::validate($fresh, ['mode' => 'lenient']), $budget);
    $row['valid'] = Inventory::validate($fresh)->isValid();
    $rows[] = $row;
    fwrite(STDERR, "  measured $name\n");
}

$peak = null;
if (isset($files['network-20MB.json'])) {
    $tmp = tempnam(sys_get_temp_dir(), 'inv');
    file_put_contents($tmp, $files['network-20MB.json']);
    // The child loads the same build: GAP_EXTENSION, else the release build of this tree.
    $so = getenv('GAP_EXTENSION') ?: $root . '/target/release/libglpi_agent_protocol.so';
    $cmd = escapeshellarg(PHP_BINARY) . ' -d extension=' . escapeshellarg($so) . ' -d memory_limit=-1 '
        . escapeshellarg(__FILE__) . ' --peak=' . escapeshellarg($tmp);
    $peak = json_decode((string) shell_exec($cmd), true);
    unlink($tmp);
}

$md = isset($opts['markdown']);
if ($md) {
    echo "| inventory | bytes | (a) GLPI per request ms | (b) swaggest imported once ms | (c) strict ms | (c) lenient ms | (a)/(c) | (b)/(c) |\n";
    echo "|---|---:|---:|---:|---:|---:|---:|---:|\n";
}
foreach ($rows as $r) {
    $a = $r['glpi'] ?? null;
    $b = $r['swaggest'] ?? null;
    $cells = [
        $r['name'] . ($r['valid'] ? '' : ' (invalid)'), number_format($r['bytes']),
        $a === null ? '-' : sprintf('%.3f', $a), $b === null ? '-' : sprintf('%.3f', $b),
        sprintf('%.3f', $r['strict']), sprintf('%.3f', $r['lenient']),
        $a === null ? '-' : sprintf('%.0fx', $a / $r['strict']), $b === null ? '-' : sprintf('%.0fx', $b / $r['strict']),
    ];
    echo $md ? '| ' . implode(' | ', $cells) . " |\n" : implode("\t", $cells) . "\n";
}
if ($peak !== null) {
    printf("\n(c) on the 20 MB inventory, strict then lenient: peak RSS %d KiB above the decoded message\n",
        max(0, $peak['hwm_kb'] - $peak['before_kb']));
}
