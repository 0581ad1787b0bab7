<?php
// Micro-benchmark: PHP's json_decode against GlpiAgentProtocol\decode_json on the same
// inputs, same process, both assoc and objects. Prints medians and ratios
// (json_decode time / decode_json time), then memory on the largest input.
//
//   php -d extension=target/release/libglpi_agent_protocol.so bench/json_decode.php [corpus dir] [seconds per case]
//
// Pin it to one core for steadier numbers: taskset -c 1 php ...

declare(strict_types=1);

use function GlpiAgentProtocol\decode_json;

if (!function_exists('GlpiAgentProtocol\decode_json')) {
    fwrite(STDERR, "load the extension: php -d extension=.../libglpi_agent_protocol.so bench/json_decode.php\n");
    exit(1);
}

$corpus = $argv[1] ?? (getenv('GAP_SHARED_CORPUS') ?: __DIR__ . '/../../shared/corpus');
$budget = (float) ($argv[2] ?? 1.5);

$inputs = [];
foreach (array_merge(glob("$corpus/inventories/*.json") ?: [], glob("$corpus/*.json") ?: [], glob(__DIR__ . '/../tests/data/json/*.json') ?: []) as $file) {
    $inputs[basename($file)] = (string) file_get_contents($file);
}
if ($inputs === []) {
    fwrite(STDERR, "no corpus found in $corpus\n");
    exit(1);
}
uasort($inputs, fn ($a, $b) => strlen($a) <=> strlen($b));

// A ~20 MB network inventory: the port list of the largest real one, repeated.
if (isset($inputs['networkequipment_2.json'])) {
    $doc = json_decode($inputs['networkequipment_2.json'], true);
    $ports = $doc['content']['network_ports'];
    $scaled = [];
    $i = 0;
    while (count($scaled) < 26500) {
        $port = $ports[$i++ % count($ports)];
        $port['ifnumber'] = count($scaled) + 1;
        $scaled[] = $port;
    }
    $doc['content']['network_ports'] = $scaled;
    $inputs['networkequipment_2 x56 (synthetic)'] = json_encode($doc, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
    unset($doc, $ports, $scaled);
}

/** Median seconds of $fn over runs that fit in $budget seconds (at least 5). */
function median_time(callable $fn, float $budget): float
{
    $fn(); // warm up
    $times = [];
    $start = hrtime(true);
    do {
        $t = hrtime(true);
        $r = $fn();
        $times[] = (hrtime(true) - $t) / 1e9;
        unset($r);
    } while (count($times) < 5 || ((hrtime(true) - $start) / 1e9 < $budget && count($times) < 2000));
    sort($times);
    return $times[intdiv(count($times), 2)];
}

printf("%-36s %10s  %-7s %12s %12s %7s\n", 'input', 'bytes', 'mode', 'json_decode', 'decode_json', 'ratio');
$largest = '';
foreach ($inputs as $name => $json) {
    foreach ([true, false] as $assoc) {
        if (serialize(json_decode($json, $assoc)) !== serialize(decode_json($json, $assoc))) {
            fwrite(STDERR, "$name: results differ\n");
            exit(1);
        }
        // Alternate the two so that drift in machine speed hits both alike.
        $php = $ours = [];
        for ($round = 0; $round < 3; $round++) {
            $php[] = median_time(fn () => json_decode($json, $assoc), $budget / 6);
            $ours[] = median_time(fn () => decode_json($json, $assoc), $budget / 6);
        }
        sort($php);
        sort($ours);
        printf("%-36s %10d  %-7s %10.3f ms %9.3f ms %6.2fx\n", $name, strlen($json), $assoc ? 'assoc' : 'objects',
            $php[1] * 1e3, $ours[1] * 1e3, $php[1] / $ours[1]);
    }
    $largest = $json;
}

echo "\nmemory on the largest input (", strlen($largest), " bytes):\n";
foreach ([true, false] as $assoc) {
    foreach (['json_decode' => fn () => json_decode($largest, $assoc), 'decode_json' => fn () => decode_json($largest, $assoc)] as $label => $fn) {
        gc_collect_cycles();
        $base = memory_get_usage();
        memory_reset_peak_usage();
        $value = $fn();
        $retained = memory_get_usage() - $base;
        $peak = memory_get_peak_usage() - $base;
        unset($value);
        printf("  %-12s %-7s retained %6.1f MB, peak %6.1f MB\n", $label, $assoc ? 'assoc' : 'objects', $retained / 1048576, $peak / 1048576);
    }
}
