<?php
// GLPI's own XML conversion, from the oracle in the shared directory beside the clone:
// what GLPI's server makes of an XML inventory (simplexml_load_string with LIBXML_NOCDATA,
// asXML(), Converter::convert(), json_decode()).

declare(strict_types=1);

require_once __DIR__ . '/ConverterCases.php';

final class GlpiConverterOracle
{
    private static function root(): string
    {
        return dirname(__DIR__, 2);
    }

    /** The shared corpus beside the clone (GAP_SHARED_CORPUS may name it), or null. */
    private static function corpus(): ?string
    {
        foreach ([getenv('GAP_SHARED_CORPUS') ?: '', self::root() . '/../shared/corpus'] as $dir) {
            if ($dir !== '' && is_dir($dir)) {
                return realpath($dir);
            }
        }
        return null;
    }

    /** GLPI's schema check of a converted message, as GLPI's server runs it. */
    public static function validates(string $json): bool
    {
        set_error_handler(fn() => true);
        try {
            return (new \Glpi\Inventory\Converter())->getSchema()->validate(json_decode($json));
        } catch (\Throwable $e) {
            return false;
        } finally {
            restore_error_handler();
        }
    }

    /** The oracle's directory, or null when the shared directory is absent. */
    public static function dir(): ?string
    {
        $candidates = [getenv('GAP_SHARED_ORACLE') ?: '', self::root() . '/../shared/oracle/inventory_format'];
        $corpus = self::corpus();
        if ($corpus !== null) {
            $candidates[] = dirname($corpus) . '/oracle/inventory_format';
        }
        foreach ($candidates as $dir) {
            if ($dir !== '' && is_file("$dir/autoload.php")) {
                return realpath($dir);
            }
        }
        return null;
    }

    /** @return array{0: bool, 1: mixed} [converted, value] */
    public static function convert(string $xml, bool $assoc): array
    {
        static $loaded = false;
        if (!$loaded) {
            require_once self::dir() . '/autoload.php';
            $loaded = true;
        }
        $previous = libxml_use_internal_errors(true);
        try {
            $sxml = @simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NOCDATA);
            if (!$sxml) {
                return [false, null];
            }
            set_error_handler(fn() => true);
            try {
                $json = (new \Glpi\Inventory\Converter())->convert($sxml->asXML());
            } catch (\Throwable $e) {
                return [false, null];
            } finally {
                restore_error_handler();
            }
            return is_string($json) ? [true, json_decode($json, $assoc)] : [false, null];
        } finally {
            libxml_clear_errors();
            libxml_use_internal_errors($previous);
        }
    }

    /** The extension's conversion: [converted, value]. */
    public static function extension(string $xml, bool $assoc): array
    {
        try {
            return [true, \GlpiAgentProtocol\Inventory::fromXml($xml, ['assoc' => $assoc])];
        } catch (\GlpiAgentProtocol\ProtocolException $e) {
            return [false, $e->getCode() . " " . $e->getToken()];
        }
    }

    /** Documents GLPI converts and the extension refuses on purpose: a DTD. */
    public static function refusedBySafety(string $xml): bool
    {
        return stripos($xml, '<!DOCTYPE') !== false;
    }

    /**
     * The documents of the parity check: name => XML. The corpus ones only when the
     * shared directory is there.
     * @return array{documents: array<string, string>, rules: array<string, string>, variants: array<string, string>}
     */
    public static function inputs(bool $with_corpus): array
    {
        $documents = [
            'sample' => file_get_contents(self::root() . '/samples/inventory.xml'),
            'fusioninventory-agent-wire' => file_get_contents(self::root() . '/tests/data/wire/fusioninventory-agent/02-inventory-xml.request.xml'),
        ];
        $corpus = self::corpus();
        if ($with_corpus && $corpus !== null) {
            foreach (glob("$corpus/xml/*.xml") ?: [] as $f) {
                $documents['corpus-' . basename($f, '.xml')] = file_get_contents($f);
            }
        }
        $variants = [];
        foreach ($documents as $name => $xml) {
            $variants += ConverterCases::variants($name, $xml);
        }
        return ['documents' => $documents, 'rules' => ConverterCases::rules(), 'variants' => $variants];
    }

    /** Exactly equal: same types, same members in the same order. */
    public static function same(mixed $a, mixed $b): bool
    {
        return serialize($a) === serialize($b);
    }
}
