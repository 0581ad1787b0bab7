<?php
// Inventory::fromXml() against GLPI's own Converter: the same message, value for value and
// key order included, or a refusal (400) where GLPI's conversion fails.

declare(strict_types=1);

use GlpiAgentProtocol\Inventory;
use GlpiAgentProtocol\ProtocolException;
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/GlpiConverterOracle.php';

final class ConverterTest extends TestCase
{
    private static function requireOracle(): void
    {
        if (GlpiConverterOracle::dir() === null) {
            self::markTestSkipped('the oracle (../shared/oracle/inventory_format) is not there');
        }
    }

    /** @param array<string, string> $cases */
    private function assertParity(array $cases): void
    {
        $this->assertNotEmpty($cases);
        $converted = 0;
        foreach ($cases as $name => $xml) {
            foreach ([true, false] as $assoc) {
                $glpi = GlpiConverterOracle::convert($xml, $assoc);
                $mine = GlpiConverterOracle::extension($xml, $assoc);
                if (GlpiConverterOracle::refusedBySafety($xml)) {
                    $this->assertSame([false, '400 malformed xml'], $mine, "$name: a DTD is refused");
                    continue;
                }
                $mode = $assoc ? 'arrays' : 'objects';
                $this->assertSame($glpi[0], $mine[0], "$name ($mode): converted by GLPI and by the extension alike");
                if ($glpi[0]) {
                    $converted++;
                    $this->assertTrue(
                        GlpiConverterOracle::same($glpi[1], $mine[1]),
                        "$name ($mode): same message\nGLPI: " . json_encode($glpi[1]) . "\nmine: " . json_encode($mine[1])
                    );
                } else {
                    $this->assertMatchesRegularExpression('/^400 /', (string)$mine[1], "$name: refused with 400");
                }
            }
        }
        $this->assertGreaterThan(0, $converted);
    }

    public function testDocumentsConvertAsGlpiConvertsThem(): void
    {
        self::requireOracle();
        $inputs = GlpiConverterOracle::inputs(true);
        $this->assertGreaterThanOrEqual(2, count($inputs['documents']));
        $this->assertParity($inputs['documents']);
    }

    public function testEveryRuleCaseConvertsAsGlpiConvertsIt(): void
    {
        self::requireOracle();
        $this->assertParity(ConverterCases::rules());
    }

    public function testVariantsConvertAsGlpiConvertsThem(): void
    {
        self::requireOracle();
        $this->assertParity(GlpiConverterOracle::inputs(true)['variants']);
    }

    /** GLPI's conversions recorded once (tests/data/converter/generate.php --write). */
    public function testRecordedConversions(): void
    {
        $inputs = GlpiConverterOracle::inputs(false);
        $cases = ConverterCases::rules() + $inputs['documents']
            + ConverterCases::variants('sample', $inputs['variants']['sample/single']);
        $lines = file(PROJECT_ROOT . '/tests/data/converter/expected.jsonl', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
        $this->assertGreaterThan(300, count($lines));
        $refused = 0;
        foreach ($lines as $line) {
            [$name, $json] = explode("\t", $line, 2);
            $this->assertArrayHasKey($name, $cases, "$name is still generated");
            $xml = $cases[$name];
            if ($json === 'null') {
                $refused++;
                $this->assertSame(400, $this->refusal($xml)->getCode(), $name);
                continue;
            }
            foreach ([true, false] as $assoc) {
                $expected = json_decode($json, $assoc, 600, JSON_THROW_ON_ERROR);
                $this->assertTrue(
                    GlpiConverterOracle::same($expected, Inventory::fromXml($xml, ['assoc' => $assoc])),
                    "$name (" . ($assoc ? 'arrays' : 'objects') . ')'
                );
            }
        }
        $this->assertGreaterThan(10, $refused);
    }

    private function refusal(string $xml): ProtocolException
    {
        try {
            Inventory::fromXml($xml);
        } catch (ProtocolException $e) {
            return $e;
        }
        $this->fail('refused');
    }

    public function testRefusalsSayWhy(): void
    {
        $this->assertSame('malformed xml', $this->refusal('<REQUEST><CONTENT></REQUEST>')->getToken());
        $this->assertSame('malformed xml', $this->refusal('<!DOCTYPE r [<!ENTITY e "x">]><REQUEST>&e;</REQUEST>')->getToken());
        $this->assertSame('malformed xml', $this->refusal('<REQUEST/>')->getToken());
        // GLPI's conversion throws on a network device member it does not know.
        $e = $this->refusal('<REQUEST><CONTENT><DEVICE><INFO><TYPE>NETWORKING</TYPE></INFO><X>1</X></DEVICE></CONTENT><QUERY>SNMPQUERY</QUERY></REQUEST>');
        $this->assertSame([400, 'bad-format'], [$e->getCode(), $e->getToken()]);
        $e = $this->refusal(str_repeat('<A>', 300) . str_repeat('</A>', 300));
        $this->assertSame('malformed xml', $e->getToken());
    }

    public function testOptions(): void
    {
        $xml = file_get_contents(PROJECT_ROOT . '/samples/inventory.xml');
        $object = Inventory::fromXml($xml);
        $array = Inventory::fromXml($xml, ['assoc' => true]);
        $this->assertInstanceOf(stdClass::class, $object);
        $this->assertSame('inventory', $object->action);
        $this->assertIsArray($array['content']['softwares']);
        $this->assertSame(json_encode($object), json_encode($array));
        $e = $this->refusal2(fn() => Inventory::fromXml($xml, ['max_decoded_bytes' => 1000]));
        $this->assertSame(413, $e->getCode());
        $this->expectException(ValueError::class);
        Inventory::fromXml($xml, ['assoc' => 1]);
    }

    private function refusal2(callable $f): ProtocolException
    {
        try {
            $f();
        } catch (ProtocolException $e) {
            return $e;
        }
        $this->fail('refused');
    }

    public function testLatin1DocumentsReadAsDeclared(): void
    {
        $xml = mb_convert_encoding('<?xml version="1.0" encoding="ISO-8859-1"?><REQUEST><CONTENT><HARDWARE><NAME>Café</NAME></HARDWARE></CONTENT></REQUEST>', 'ISO-8859-1', 'UTF-8');
        $this->assertSame('Café', Inventory::fromXml($xml, ['assoc' => true])['content']['hardware']['name']);
    }
}
