<?php
// Inventory::validate(): GLPI's verdict and first violation (compared with GLPI's own
// inventory_format library when ../shared has it), every violation, lenient salvage, and
// the PHP functions the validator must agree with (filter_var, preg_match).

declare(strict_types=1);

use GlpiAgentProtocol\{Inventory, Request, Validation};
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/ValidationCases.php';

final class ValidationTest extends TestCase
{
    private const DATA = __DIR__ . '/data/validation';
    private const MUTANTS_PER_DOCUMENT = 250;

    private static ?object $imported = null;

    /** GLPI's schema imported once into swaggest, or a skip when the oracle is absent. */
    private static function oracle(): object
    {
        if (self::$imported === null) {
            $autoload = ValidationCases::oracleAutoload();
            if ($autoload === null) {
                self::markTestSkipped('the inventory_format oracle (../shared/oracle) is not here');
            }
            require_once $autoload;
            self::$imported = \Swaggest\JsonSchema\Schema::import((new \Glpi\Inventory\Schema())->build());
        }
        return self::$imported;
    }

    /** @return array<string, object> */
    private static function corpus(): array
    {
        $dir = shared_corpus();
        if ($dir === null) {
            self::markTestSkipped('the shared corpus is not here');
        }
        $docs = [];
        foreach (array_merge(glob("$dir/*.json") ?: [], glob("$dir/inventories/*.json") ?: []) as $f) {
            $docs[basename($f)] = json_decode(file_get_contents($f));
        }
        return $docs;
    }

    private static function first(Validation $v): array
    {
        if ($v->isValid()) {
            return [true, null, null];
        }
        $f = $v->violations()[0];
        return [false, $f['keyword'] === 'depth' ? null : $f['pointer'], $f['keyword']];
    }

    private static function lenient($doc): Validation
    {
        return Inventory::validate($doc, ['mode' => 'lenient']);
    }

    public function testEveryCorpusInventoryGetsGlpisVerdict(): void
    {
        $imported = self::oracle();
        $n = 0;
        foreach (self::corpus() as $name => $doc) {
            $glpi = true;
            try {
                (new \Glpi\Inventory\Schema())->validate($doc);
            } catch (\RuntimeException $e) {
                $glpi = false;
            }
            $ours = self::first(Inventory::validate($doc));
            $this->assertSame($glpi, $ours[0], "$name: GLPI's Schema::validate verdict");
            $this->assertSame(ValidationCases::oracleVerdict($imported, $doc), $ours, "$name: first violation");
            $n++;
        }
        fwrite(STDERR, sprintf("\n[validation] corpus: %d documents, %d agreements with GLPI\n", $n, $n));
    }

    public function testMutantsGetGlpisVerdictAndLenientOutputValidates(): void
    {
        $imported = self::oracle();
        $seed = 1;
        $total = $agree = $invalid = $salvaged = 0;
        foreach (self::corpus() as $name => $doc) {
            foreach (ValidationCases::mutants($doc, self::MUTANTS_PER_DOCUMENT, $seed++) as $m) {
                $mutant = ValidationCases::apply($doc, $m);
                $glpi = ValidationCases::oracleVerdict($imported, $mutant);
                $strict = Inventory::validate($mutant);
                $ours = self::first($strict);
                $this->assertSame($glpi, $ours, "$name " . json_encode($m, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION));
                $total++;
                $agree++;
                if ($glpi[0]) {
                    continue;
                }
                $invalid++;
                $l = self::lenient($mutant);
                $this->assertEquals($strict->violations(), $l->violations());
                if ($l->content() !== null) {
                    $salvaged++;
                    $this->assertNotEmpty($l->dropped());
                    $this->assertSame([true, null, null], ValidationCases::oracleVerdict($imported, $l->content()),
                        "$name: salvaged content still refused by GLPI " . json_encode($m));
                    $this->assertTrue(Inventory::validate($l->content())->isValid());
                }
            }
        }
        fwrite(STDERR, sprintf("[validation] mutants: %d, agreements with GLPI: %d, invalid: %d, salvaged and accepted by GLPI: %d\n",
            $total, $agree, $invalid, $salvaged));
        $this->assertGreaterThan(2000, $total);
    }

    public function testFixedCasesKeepTheirExpectedVerdicts(): void
    {
        $base = json_decode(file_get_contents(self::DATA . '/base.json'));
        $cases = json_decode(file_get_contents(self::DATA . '/cases.json'));
        $this->assertGreaterThan(200, count($cases));
        foreach ($cases as $i => $case) {
            $m = get_object_vars($case->mutation);
            $doc = ValidationCases::apply($base, $m);
            $this->assertSame($case->expected, self::first(Inventory::validate($doc)), "case $i " . json_encode($m));
            $l = self::lenient($doc);
            if ($l->content() !== null) {
                $this->assertTrue(Inventory::validate($l->content())->isValid(), "case $i salvaged");
            }
        }
    }

    public function testAssocArraysGetTheSameVerdictAsObjects(): void
    {
        $base = json_decode(file_get_contents(self::DATA . '/base.json'));
        $cases = json_decode(file_get_contents(self::DATA . '/cases.json'));
        foreach (array_slice($cases, 0, 120) as $case) {
            $doc = ValidationCases::apply($base, get_object_vars($case->mutation));
            $assoc = json_decode(json_encode($doc, JSON_PRESERVE_ZERO_FRACTION), true);
            $this->assertEquals(
                Inventory::validate($doc)->violations(),
                Inventory::validate($assoc)->violations()
            );
        }
    }

    public function testEveryViolationIsReportedInDocumentOrder(): void
    {
        $doc = json_decode(file_get_contents(self::DATA . '/base.json'));
        $doc->content->hardware->memory = 'lots';
        $doc->content->storages = [(object)['name' => 'sda', 'disksize' => 'N', 'interface' => 7]];
        $doc->{'httpd-port'} = 62354;
        $v = Inventory::validate($doc);
        $this->assertFalse($v->isValid());
        $this->assertSame(
            [['/content/hardware/memory', 'type'], ['/content/storages/0/disksize', 'type'],
             ['/content/storages/0/interface', 'type'], ['', 'additionalProperties']],
            array_map(fn($x) => [$x['pointer'], $x['keyword']], $v->violations())
        );
        foreach ($v->violations() as $x) {
            $this->assertLessThan(300, strlen($x['message']), 'messages never embed whole objects');
        }
        $this->assertSame($doc, $v->content(), 'strict: the message as given');
    }

    public function testLenientRemovesTheSmallestPartAndKeepsTheRest(): void
    {
        $doc = json_decode(file_get_contents(self::DATA . '/base.json'));
        $before = json_encode($doc);
        $doc->content->storages = [
            (object)['name' => 'sda', 'interface' => 'NVME', 'disksize' => 'N'],
            (object)['name' => 'sdb', 'disksize' => 1024],
        ];
        $doc->content->networks = [(object)['description' => 'eth0', 'ipaddress' => '01.2.3.4'], (object)['type' => 'ethernet']];
        $l = self::lenient($doc);
        $this->assertTrue($l->isValid());
        $this->assertSame(
            ['/content/networks/0/ipaddress', '/content/networks/1', '/content/storages/0/disksize'],
            array_column($l->dropped(), 'pointer')
        );
        $this->assertSame(['format', 'required', 'type'], array_column($l->dropped(), 'keyword'));
        $c = $l->content();
        $this->assertSame('NVME', $c->content->storages[0]->interface);
        $this->assertFalse(property_exists($c->content->storages[0], 'disksize'));
        $this->assertCount(1, $c->content->networks);
        $this->assertSame($doc->content->hardware, $c->content->hardware, 'untouched parts are shared, not copied');
        $this->assertSame('N', $doc->content->storages[0]->disksize, 'the message itself is not changed');
        $this->assertTrue(Inventory::validate($c)->isValid());
        $this->assertNotSame($before, json_encode($c));
    }

    public function testWhatCannotBeSalvagedIsInvalidInBothModes(): void
    {
        $base = json_decode(file_get_contents(self::DATA . '/base.json'));
        $cases = [
            'no deviceid' => fn($d) => $d->deviceid = null,
            'content a list' => fn($d) => $d->content = [1],
            'unknown itemtype' => fn($d) => $d->itemtype = 'Toaster',
            'closed top level' => fn($d) => $d->{'httpd-port'} = 1,
            'no versionclient' => function ($d) { unset($d->content->versionclient); },
        ];
        foreach ($cases as $what => $mutate) {
            $doc = ValidationCases::deepCopy($base);
            $mutate($doc);
            $l = self::lenient($doc);
            $this->assertFalse($l->isValid(), $what);
            $this->assertNull($l->content(), $what);
            $this->assertFalse(Inventory::validate($doc)->isValid(), $what);
        }
        unset($base->deviceid);
        $this->assertSame([false, '', 'required'], self::first(self::lenient($base)));
    }

    public function testStringCoercionsAndIpFormatsAreFilterVar(): void
    {
        $schema = tempnam(sys_get_temp_dir(), 'schema');
        file_put_contents($schema, json_encode(['type' => 'object', 'properties' => [
            'i' => ['type' => 'integer'], 'b' => ['type' => 'boolean'],
            'v4' => ['type' => 'string', 'format' => 'ipv4'], 'v6' => ['type' => 'string', 'format' => 'ipv6'],
        ]]));
        mt_srand(7);
        $alphabet = ['0', '1', '2', '9', '+', '-', ' ', "\t", "\n", "\r", "\v", "\f", "\0", '.', ':', 'a', 'f', 'x', 'e', '%', 'Y', 'o', 'n', 'F'];
        $samples = ['', ' ', '42', ' 42 ', '+42', "42\n", '42.0', '007', '0x2A', '-0', '+0', '00',
            '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
            'yes', 'YES', ' on ', 'off', 'no', 'true', 'False', '1', '0', '2', 'y',
            '1.2.3.4', '01.2.3.4', '0.0.0.0', '255.255.255.255', '256.0.0.0', '1.2.3', '::', '::1', '1::', ':1',
            'fe80::1%eth0', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:1.2.3.4', '1::2:3:4:5:6:7:8',
            '12345::1', 'g::1', '1:2:3:4:5:6:7::', '::1.2.3.4', '1.2.3.4::'];
        for ($i = 0; $i < 4000; $i++) {
            $s = '';
            for ($k = mt_rand(0, 10); $k > 0; $k--) {
                $s .= $alphabet[mt_rand(0, count($alphabet) - 1)];
            }
            $samples[] = $s;
        }
        foreach ($samples as $s) {
            $ok = fn($field) => Inventory::validate((object)[$field => $s], ['schema' => $schema])->isValid();
            $this->assertSame(filter_var($s, FILTER_VALIDATE_INT) !== false, $ok('i'), 'int ' . json_encode($s));
            $this->assertSame(filter_var($s, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE) !== null, $ok('b'), 'bool ' . json_encode($s));
            $this->assertSame(filter_var($s, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false, $ok('v4'), 'ipv4 ' . json_encode($s));
            $this->assertSame(filter_var($s, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== false, $ok('v6'), 'ipv6 ' . json_encode($s));
        }
        unlink($schema);
    }

    public function testEveryPatternOfTheSchemaAgreesWithPcre(): void
    {
        $raw = json_decode(file_get_contents(PROJECT_ROOT . '/schema/inventory.schema.json'));
        $patterns = [];
        $walk = function ($node) use (&$walk, &$patterns) {
            if (is_object($node)) {
                if (isset($node->pattern) && is_string($node->pattern)) {
                    $patterns[] = $node->pattern;
                }
                foreach (get_object_vars($node) as $v) {
                    $walk($v);
                }
            } elseif (is_array($node)) {
                array_map($walk, $node);
            }
        };
        $walk($raw);
        $this->assertGreaterThanOrEqual(13, count($patterns));
        mt_srand(11);
        $checked = 0;
        foreach (array_unique($patterns) as $p) {
            $schema = tempnam(sys_get_temp_dir(), 'schema');
            file_put_contents($schema, json_encode(['type' => 'object', 'properties' => ['s' => ['type' => 'string', 'pattern' => $p]]]));
            preg_match_all('/[A-Za-z0-9_]+/', $p, $words);
            $seeds = array_merge($words[0], ['2018-10-11 04:55:07', '2018-10-11T04:55:07Z', '2018-10-11 04:55:07+01:00:00', '2018-12-31',
                '+0100', '-0530', 'i686', 'i٣86', 'arm', 'armv7', 'x86_64', '', 'enabled', 'up', 'free', 'Computer', 'inventory', 'anything', '2018-10-11|04:55:07']);
            foreach ($seeds as $w) {
                foreach ([$w, "$w\n", "$w\n\n", " $w", "$w ", "\n$w", strtoupper($w), $w . 'x', substr($w, 1), "$w\r"] as $s) {
                    if (mt_rand(0, 3) === 0 && strlen($s) > 1) {
                        $s[mt_rand(0, strlen($s) - 1)] = chr(mt_rand(0x20, 0x7e));
                    }
                    $pcre = preg_match('{' . $p . '}u', $s);
                    $ours = Inventory::validate((object)['s' => $s], ['schema' => $schema])->isValid();
                    $this->assertSame($pcre !== 0, $ours, "pattern $p on " . json_encode($s));
                    $checked++;
                }
            }
            unlink($schema);
        }
        $this->assertGreaterThan(1000, $checked);
    }

    public function testExtrasWorkAsGlpisSetters(): void
    {
        $doc = json_decode(file_get_contents(self::DATA . '/base.json'));
        $doc->itemtype = 'Glpi\\CustomAsset\\Car';
        $doc->content->cars = [(object)['wheels' => 'four']];
        $doc->content->hardware->colour = 3;
        $opts = [
            'extra_itemtypes' => ['Glpi\\CustomAsset\\Car'],
            'extra_properties' => ['cars' => ['type' => 'array', 'items' => ['type' => 'object', 'properties' => ['wheels' => ['type' => 'integer']]]]],
            'extra_sub_properties' => ['hardware' => ['colour' => ['type' => 'string']]],
        ];
        $v = Inventory::validate($doc, $opts);
        $this->assertSame(
            [['/content/hardware/colour', 'type'], ['/content/cars/0/wheels', 'type']],
            array_map(fn($x) => [$x['pointer'], $x['keyword']], $v->violations())
        );
        $this->assertSame([false, '/itemtype', 'pattern'], self::first(Inventory::validate($doc)));
        if (ValidationCases::oracleAutoload() !== null) {
            self::oracle();
            $schema = (new \Glpi\Inventory\Schema())
                ->setExtraItemtypes($opts['extra_itemtypes'])
                ->setExtraProperties($opts['extra_properties'])
                ->setExtraSubProperties($opts['extra_sub_properties']);
            $imported = \Swaggest\JsonSchema\Schema::import($schema->build());
            $this->assertSame(ValidationCases::oracleVerdict($imported, $doc), self::first($v));
        }
    }

    public function testOptionsAndMisuse(): void
    {
        $doc = json_decode(file_get_contents(self::DATA . '/base.json'));
        $doc->content->hardware->memory = '42';
        $this->assertTrue(Inventory::validate($doc)->isValid());
        $this->assertFalse(Inventory::validate($doc, ['tolerate_strings' => false])->isValid());
        $this->assertSame($doc, Inventory::validate($doc, ['mode' => 'lenient'])->content(), 'nothing to drop: the message itself');
        foreach ([['mode' => 'loose'], ['nope' => 1], ['schema' => '/nonexistent/schema.json'], ['max_violations' => 0]] as $bad) {
            try {
                Inventory::validate($doc, $bad);
                $this->fail('accepted ' . json_encode($bad));
            } catch (\ValueError $e) {
                $this->assertNotSame('', $e->getMessage());
            }
        }
        $this->expectException(\TypeError::class);
        Inventory::validate('{"deviceid": "x"}');
    }

    public function testIniDirectivesGiveTheDefaults(): void
    {
        $doc = json_decode(file_get_contents(self::DATA . '/base.json'));
        $doc->content->hardware->memory = '42';
        $doc->content->storages = [(object)['disksize' => 'N'], (object)['disksize' => 'M']];
        try {
            $this->assertSame('strict', ini_get('glpi_agent_protocol.validation_mode'));
            $this->assertFalse(ini_set('glpi_agent_protocol.validation_mode', 'loose'), 'an invalid mode is refused');
            $this->assertNotFalse(ini_set('glpi_agent_protocol.validation_mode', 'lenient'));
            $this->assertTrue(Inventory::validate($doc)->isValid(), 'lenient by default now');
            $this->assertFalse(Inventory::validate($doc, ['mode' => 'strict'])->isValid(), 'the option wins');
            $this->assertNotFalse(ini_set('glpi_agent_protocol.validation_tolerate_strings', '0'));
            $this->assertSame('/content/hardware/memory', Inventory::validate($doc)->dropped()[0]['pointer']);
            $this->assertNotFalse(ini_set('glpi_agent_protocol.validation_max_violations', '1'));
            $this->assertCount(1, Inventory::validate($doc)->violations());
            $this->assertFalse(ini_set('glpi_agent_protocol.validation_max_violations', '0'));
            $schema = tempnam(sys_get_temp_dir(), 'schema');
            file_put_contents($schema, '{"type": "object", "required": ["nothing"]}');
            $this->assertNotFalse(ini_set('glpi_agent_protocol.validation_schema', $schema));
            $this->assertSame([false, '', 'required'], self::first(Inventory::validate($doc, ['mode' => 'strict'])));
            unlink($schema);
        } finally {
            foreach (['mode', 'tolerate_strings', 'max_violations', 'schema'] as $d) {
                ini_restore("glpi_agent_protocol.validation_$d");
            }
        }
        $this->assertFalse(Inventory::validate($doc)->isValid());
    }

    public function testRequestValidatesItsMessage(): void
    {
        $body = file_get_contents(self::DATA . '/base.json');
        $r = Request::decode($body, ['Content-Type' => 'application/json']);
        $this->assertTrue($r->validate()->isValid());
        $bad = json_decode($body);
        $bad->content->storages = [(object)['disksize' => 'N']];
        $r = Request::decode(json_encode($bad), ['Content-Type' => 'application/json']);
        $this->assertSame([false, '/content/storages/0/disksize', 'type'], self::first($r->validate()));
        $salvaged = $r->validate(['mode' => 'lenient'])->content()->content->storages;
        $this->assertCount(1, $salvaged);
        $this->assertFalse(property_exists($salvaged[0], 'disksize'));
        // A legacy XML request is validated as the message it converts to.
        $xml = Request::decode((string) file_get_contents(PROJECT_ROOT . '/samples/inventory.xml'), ['Content-Type' => 'application/xml']);
        $expected = \GlpiAgentProtocol\Inventory::validate(\GlpiAgentProtocol\Inventory::fromXml($xml->body()));
        $this->assertSame($expected->isValid(), $xml->validate()->isValid());
        $this->assertSame($expected->violations(), $xml->validate()->violations());
        $this->assertNotNull($xml->validate()->content());
        $empty = Request::decode('<?xml version="1.0"?><REQUEST/>', ['Content-Type' => 'application/xml']);
        try {
            $empty->validate();
            $this->fail('an XML inventory GLPI cannot convert validates nothing');
        } catch (\GlpiAgentProtocol\ProtocolException $e) {
            $this->assertSame([400, 'malformed xml'], [$e->getCode(), $e->getToken()]);
        }
    }
}
