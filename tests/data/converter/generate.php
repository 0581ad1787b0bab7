<?php
// Writes the converter's fixed expectations (expected.jsonl, one "name<TAB>json" line per
// case, json being GLPI's own conversion or null where GLPI refuses the document) from the
// oracle, and prints the parity counts of the extension against it.
//
//   php -d extension=target/release/libglpi_agent_protocol.so tests/data/converter/generate.php [--write]

declare(strict_types=1);

require __DIR__ . '/../../../php-tests/bootstrap.php';
require PROJECT_ROOT . '/php-tests/support/GlpiConverterOracle.php';

if (GlpiConverterOracle::dir() === null) {
    fwrite(STDERR, "the oracle (../shared/oracle/inventory_format) is not there\n");
    exit(2);
}
$inputs = GlpiConverterOracle::inputs(true);
$counts = [];
foreach ($inputs as $kind => $cases) {
    $agree = 0;
    $converted = 0;
    $safety = 0;
    foreach ($cases as $name => $xml) {
        $ok = true;
        foreach ([true, false] as $assoc) {
            $g = GlpiConverterOracle::convert($xml, $assoc);
            $m = GlpiConverterOracle::extension($xml, $assoc);
            $converted += $assoc && $g[0] ? 1 : 0;
            if (!$m[0] && GlpiConverterOracle::refusedBySafety($xml)) {
                $safety += $assoc ? 1 : 0;
                $ok = false;
                break;
            }
            $ok = $ok && $g[0] === $m[0] && (!$g[0] || GlpiConverterOracle::same($g[1], $m[1]));
        }
        $agree += $ok ? 1 : 0;
        if (!$ok && !GlpiConverterOracle::refusedBySafety($xml)) {
            fwrite(STDERR, "disagreement: $kind $name\n");
        }
    }
    $counts[$kind] = [count($cases), $converted, $agree, $safety];
    printf("%-9s %4d documents, %4d converted by GLPI, %4d agreements (objects and arrays), %d refused for safety (DTD)\n", $kind, ...$counts[$kind]);
}

if (in_array('--write', $argv, true)) {
    // The fixed expectations: every rule case, the two documents of the project and the
    // variants of the sample reduced to one item per list (the full-size variants are
    // checked against the oracle only).
    $single = ConverterCases::rules()
        + ['sample' => $inputs['documents']['sample'], 'fusioninventory-agent-wire' => $inputs['documents']['fusioninventory-agent-wire']];
    $small = ConverterCases::variants('sample', $inputs['variants']['sample/single']);
    $lines = [];
    foreach ($single + $small as $name => $xml) {
        if (GlpiConverterOracle::refusedBySafety($xml)) {
            continue;
        }
        [$ok, $value] = GlpiConverterOracle::convert($xml, true);
        $lines[] = $name . "\t" . ($ok ? json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION) : 'null');
    }
    file_put_contents(__DIR__ . '/expected.jsonl', implode("\n", $lines) . "\n");
    printf("wrote %d expectations to tests/data/converter/expected.jsonl\n", count($lines));
}
