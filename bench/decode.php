<?php
// Request decoding benchmark, in one PHP process, same inputs for every path:
//   (a) PHP's own functions: gzuncompress / gzdecode / gzinflate, then json_decode (objects)
//   (b) GLPI's path: decompress, json_decode once to check validity, then again to objects
//   (c) GlpiAgentProtocol\Request::decode() then content()
// for every inventory of the corpus plus larger ones made by scaling a real network
// inventory, in each encoding. Prints a Markdown table (medians) and the ratios a/c and b/c,
// then peak memory on the largest input. Writes the table to bench/results/decode.md.
//
//   make bench                       (or: php -d extension=... bench/decode.php [--quick])

declare(strict_types=1);

use GlpiAgentProtocol\Request;

$quick = in_array('--quick', $argv, true);
$root = dirname(__DIR__);
$corpus = getenv('GAP_SHARED_CORPUS') ?: $root . '/../shared/corpus';

/** @return array<string,string> name => JSON text */
function load_inputs(string $root, string $corpus, bool $quick): array
{
    $inputs = [];
    foreach (glob($corpus . '/inventories/*.json') ?: [] as $f) {
        $inputs[basename($f, '.json')] = file_get_contents($f);
    }
    foreach ([$corpus . '/glpi-agent-inventory-local.json', $root . '/samples/glpi-agent-inventory-local.json'] as $f) {
        if (is_file($f)) {
            $inputs['glpi-agent-local'] = file_get_contents($f);
            break;
        }
    }
    $seed = $corpus . '/inventories/networkequipment_2.json';
    if (is_file($seed)) {
        foreach ($quick ? [1] : [1, 5, 20] as $mb) {
            $inputs["network-scaled-{$mb}MB"] = scale_network_inventory(file_get_contents($seed), $mb << 20);
        }
    }
    if (!$inputs) {
        fwrite(STDERR, "bench: no inputs (expected ../shared/corpus or samples/)\n");
        exit(2);
    }
    uasort($inputs, fn ($a, $b) => strlen($a) <=> strlen($b));
    return $inputs;
}

/** Repeats the port list of a real network inventory until the JSON reaches $bytes. */
function scale_network_inventory(string $json, int $bytes): string
{
    $doc = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    $ports = $doc['content']['network_ports'] ?? null;
    if (!is_array($ports) || !$ports) {
        return $json;
    }
    $base = strlen($json);
    $per = max(1, intdiv($base, count($ports)));
    $copies = [];
    $i = 0;
    while ($base + count($copies) * $per < $bytes) {
        $p = $ports[$i % count($ports)];
        $p['ifnumber'] = 100000 + count($copies);
        $p['ifdescr'] = ($p['ifdescr'] ?? 'port') . '-' . count($copies);
        $copies[] = $p;
        $i++;
    }
    $doc['content']['network_ports'] = array_merge($ports, $copies);
    return json_encode($doc, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

/** Median seconds of $fn over enough runs to fill about $budget seconds (3 to 200 runs). */
function median_time(callable $fn, float $budget): float
{
    $fn(); // warm up
    $times = [];
    $start = hrtime(true);
    do {
        $t = hrtime(true);
        $fn();
        $times[] = (hrtime(true) - $t) / 1e9;
    } while ((count($times) < 3 || (hrtime(true) - $start) / 1e9 < $budget) && count($times) < 200);
    sort($times);
    return $times[intdiv(count($times), 2)];
}

$encodings = [
    'zlib' => ['application/x-compress-zlib', 'gzcompress', 'gzuncompress'],
    'gzip' => ['application/x-compress-gzip', 'gzencode', 'gzdecode'],
    'deflate' => ['application/x-compress-deflate', 'gzdeflate', 'gzinflate'],
    'br' => ['application/x-compress-br', null, function_exists('brotli_uncompress') ? 'brotli_uncompress' : null],
    'none' => ['application/json', null, null],
];

$inputs = load_inputs($root, $corpus, $quick);
$budget = $quick ? 0.05 : 0.4;
$rows = [];
$ratiosA = [];
$ratiosB = [];
$agent = ['GLPI-Agent-ID' => '3a609a2e-947f-4e6a-9af9-32c024ac3944'];

fprintf(STDERR, "bench: %d inputs x %d encodings, PHP %s\n", count($inputs), count($encodings), PHP_VERSION);
foreach ($inputs as $name => $json) {
    foreach ($encodings as $enc => [$type, $compress, $uncompress]) {
        $body = match ($enc) {
            'none' => $json,
            'br' => GlpiAgentProtocol\compress($json, 'br'),
            default => $compress($json),
        };
        $headers = $agent + ['Content-Type' => $type];
        fprintf(STDERR, "  %-28s %-8s %9d B -> %8d B\n", $name, $enc, strlen($json), strlen($body));
        $plain = fn () => $enc === 'none' ? $body : $uncompress($body);
        $a = ($enc === 'none' || $uncompress !== null)
            ? median_time(fn () => json_decode($plain(), false, 512), $budget) : null;
        $b = ($enc === 'none' || $uncompress !== null)
            ? median_time(function () use ($plain) {
                $raw = $plain();
                json_decode($raw, true);
                if (json_last_error() === JSON_ERROR_NONE) {
                    json_decode($raw);
                }
            }, $budget) : null;
        $c = median_time(fn () => Request::decode($body, $headers)->content(), $budget);
        $rows[] = [$name, strlen($json), $enc, strlen($body), $a, $b, $c];
        if ($a !== null && strlen($json) >= 30_000) {
            $ratiosA[] = $a / $c;
            $ratiosB[] = $b / $c;
        }
    }
}

function ms(?float $s): string
{
    return $s === null ? 'n/a' : sprintf('%.3f', $s * 1000);
}

function ratio(?float $x, float $c): string
{
    return $x === null ? 'n/a' : sprintf('%.2fx', $x / $c);
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n === 0 ? NAN : ($n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2);
}

$out = [];
$out[] = sprintf('PHP %s, %s, one process; medians; times in ms.', PHP_VERSION, php_uname('m'));
$out[] = '';
$out[] = '| input | JSON bytes | encoding | body bytes | (a) PHP | (b) GLPI | (c) extension | a/c | b/c |';
$out[] = '|---|---:|---|---:|---:|---:|---:|---:|---:|';
foreach ($rows as [$name, $jsonLen, $enc, $bodyLen, $a, $b, $c]) {
    $out[] = sprintf('| %s | %d | %s | %d | %s | %s | %s | %s | %s |', $name, $jsonLen, $enc, $bodyLen,
        ms($a), ms($b), ms($c), ratio($a, $c), ratio($b, $c));
}
$out[] = '';
$out[] = sprintf('Median over inputs of 30 KB and more: (c) is %.2fx the throughput of (a) and %.2fx of (b).',
    median($ratiosA), median($ratiosB));

// Peak memory on the largest input (zlib). The extension allocates outside the Zend heap
// (decompression buffers), so memory_get_peak_usage() would not see all of it: each path
// runs in a fresh child process and reports its resident-set high-water mark (VmHWM) above
// what the process held just before decoding.
$largestName = array_key_last($inputs);
$tmp = tempnam(sys_get_temp_dir(), 'gap-bench');
file_put_contents($tmp, gzcompress($inputs[$largestName]));
$child = <<<'PHP'
$body = file_get_contents($argv[1]);
function vm(string $k): int { preg_match("/^$k:\s+(\d+) kB/m", file_get_contents('/proc/self/status'), $m); return (int) $m[1] * 1024; }
$before = vm('VmRSS');
$keep = $argv[2] === 'a' ? json_decode(gzuncompress($body))
    : GlpiAgentProtocol\Request::decode($body, ['Content-Type' => 'application/x-compress-zlib'])->content();
echo vm('VmHWM') - $before;
PHP;
$ext = ini_get('extension_dir');
// The build under test: where cargo put it, as php-tests/bootstrap.php finds it.
$target = getenv('CARGO_TARGET_DIR') ?: $root . '/target';
$self = escapeshellarg(PHP_BINARY) . ' -d memory_limit=-1 -d extension=' . escapeshellarg($target . '/release/libglpi_agent_protocol.so');
$mem = [];
foreach (['a', 'c'] as $k) {
    $mem[$k] = (int) shell_exec($self . ' -r ' . escapeshellarg($child) . ' ' . escapeshellarg($tmp) . ' ' . $k);
}
unlink($tmp);
$out[] = sprintf('Peak resident memory decoding %s (zlib, fresh process each): (a) %.1f MB, (c) %.1f MB.',
    $largestName, $mem['a'] / 1e6, $mem['c'] / 1e6);

$text = implode("\n", $out) . "\n";
echo $text;
if (!$quick) {
    @mkdir(__DIR__ . '/results');
    file_put_contents(__DIR__ . '/results/decode.md', $text);
}
