<?php
// Legacy XML conversion: Inventory::fromXml() against GLPI's own Converter, in one process,
// per XML from 1 KB to a 20 MB network inventory built from the corpus.
//
//   php -d extension=target/release/libglpi_agent_protocol.so bench/convert.php [--budget=S] [--out=FILE.md]
//
// GLPI's side comes from the oracle in ../shared/oracle/inventory_format:
//   convert            $converter->convert($xml), the converter built once (as GLPI's own
//                      timing of the conversion alone)
//   convert + validate GLPI's whole XML path: simplexml_load_string(LIBXML_NOCDATA),
//                      asXML(), new Converter, convert(), json_decode(), Schema::validate()
// The extension's side: Inventory::fromXml($xml), plus Inventory::validate() of its result
// where the extension has it. Times are CPU time per call (mean over a batch); peak memory is the growth of the process's
// resident set during one conversion, each side in a fresh child process.
declare(strict_types=1);

use GlpiAgentProtocol\Inventory;

$opts = getopt('', ['budget:', 'out:', 'child:', 'file:']);
$budget = (float) ($opts['budget'] ?? 3.0);
$oracle = null;
foreach ([getenv('GAP_SHARED_ORACLE') ?: '', __DIR__ . '/../../shared/oracle/inventory_format', '/work/shared/oracle/inventory_format'] as $dir) {
    if ($dir !== '' && is_file("$dir/autoload.php")) {
        $oracle = $dir;
        break;
    }
}
if ($oracle === null) {
    fwrite(STDERR, "the oracle (../shared/oracle/inventory_format) is needed\n");
    exit(2);
}
require_once "$oracle/autoload.php";

function glpi_convert(\Glpi\Inventory\Converter $c, string $xml): string
{
    return $c->convert($xml);
}

function glpi_path(string $raw): void
{
    $sxml = @simplexml_load_string($raw, 'SimpleXMLElement', LIBXML_NOCDATA);
    $converter = new \Glpi\Inventory\Converter();
    $json = $converter->convert($sxml->asXML());
    try {
        $converter->getSchema()->validate(json_decode($json));
    } catch (RuntimeException $e) {
    }
}

function ext_path(string $raw): void
{
    $message = Inventory::fromXml($raw);
    if (method_exists(Inventory::class, 'validate')) {
        Inventory::validate($message);
    }
}

if (isset($opts['child'])) {
    // One conversion in a fresh process: how much its resident set grows.
    set_error_handler(fn() => true);
    $raw = file_get_contents($opts['file']);
    $converter = new \Glpi\Inventory\Converter();
    $before = getrusage()['ru_maxrss'];
    $kept = match ($opts['child']) {
        'glpi' => json_decode(glpi_convert($converter, $raw)),
        'ext' => Inventory::fromXml($raw),
    };
    printf("%d\n", getrusage()['ru_maxrss'] - $before);
    exit(0);
}

/** This process's CPU time, in seconds: on a shared machine, steadier than the wall clock. */
function cpu_seconds(): float
{
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6 + $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6;
}

/** Mean CPU milliseconds per call over as many calls as fit in $budget seconds (3 at least). */
function cpu_ms(callable $fn, float $budget): array
{
    // Each side starts with the cycle collector's buffer empty, so that none pays for
    // collecting the garbage another left.
    gc_collect_cycles();
    $fn();
    $n = 0;
    $start = hrtime(true);
    $cpu = cpu_seconds();
    do {
        $fn();
        $n++;
    } while ($n < 3 || (hrtime(true) - $start) / 1e9 < $budget);
    return [(cpu_seconds() - $cpu) * 1000 / $n, $n];
}

/** A network inventory of about $bytes, made of the ports of the corpus's one (each numbered anew). */
function network_inventory(string $base, int $bytes): string
{
    $dom = new DOMDocument();
    $dom->loadXML($base);
    $ports = $dom->getElementsByTagName('PORTS')->item(0);
    $originals = [];
    foreach ($ports->getElementsByTagName('PORT') as $p) {
        $originals[] = $p;
    }
    $n = count($originals);
    $i = 0;
    while (strlen($dom->saveXML()) < $bytes) {
        for ($k = 0; $k < 200; $k++, $i++) {
            $copy = $originals[$i % $n]->cloneNode(true);
            $copy->getElementsByTagName('IFNUMBER')->item(0)->nodeValue = (string) (100000 + $i);
            $ports->appendChild($copy);
        }
    }
    return $dom->saveXML();
}

$corpus = dirname($oracle, 2) . '/corpus';
$docs = [
    'corpus 10.xml (computer, tiny)' => "$corpus/xml/10.xml",
    'corpus 13.xml (computer)' => "$corpus/xml/13.xml",
    'corpus 1.xml (computer)' => "$corpus/xml/1.xml",
    'corpus 18.xml (phone)' => "$corpus/xml/18.xml",
    'corpus 6.xml (network device)' => "$corpus/xml/6.xml",
    'fusioninventory-agent (Debian)' => __DIR__ . '/../tests/data/wire/fusioninventory-agent/02-inventory-xml.request.xml',
];
$tmp = sys_get_temp_dir() . '/gap-bench-convert-' . getmypid();
@mkdir($tmp);
$network = file_get_contents("$corpus/xml/6.xml");
foreach ([1, 5, 20] as $mb) {
    $file = "$tmp/network-{$mb}mb.xml";
    file_put_contents($file, network_inventory($network, $mb << 20));
    $docs["network inventory, $mb MB (ports of 6.xml)"] = $file;
}

$validates = method_exists(Inventory::class, 'validate');
$php = escapeshellarg(PHP_BINARY);
$self = escapeshellarg(__FILE__);
$child = function (string $side, string $file) use ($php, $self): int {
    $cmd = sprintf('%s -d memory_limit=-1 %s %s --child=%s --file=%s', $php, extension_arg(), $self, $side, escapeshellarg($file));
    return (int) trim((string) shell_exec($cmd));
};
/** The same build in the child: GAP_BENCH_EXTENSION, else the release build. */
function extension_arg(): string
{
    $loaded = getenv('GAP_BENCH_EXTENSION') ?: realpath(__DIR__ . '/../target/release/libglpi_agent_protocol.so');
    return $loaded ? '-d extension=' . escapeshellarg($loaded) : '';
}

$lines = [];
$lines[] = sprintf('PHP %s, %s; CPU ms per call (calls in brackets); peak = resident set growth of one conversion, MiB', PHP_VERSION, php_uname('m'));
$lines[] = '';
$lines[] = '| XML | size | GLPI convert | extension fromXml | ratio | GLPI convert + validate | extension ' . ($validates ? 'fromXml + validate' : 'fromXml (no validate in this build)') . ' | ratio | peak GLPI | peak extension |';
$lines[] = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
echo implode("\n", $lines), "\n";
set_error_handler(fn() => true);
foreach ($docs as $name => $file) {
    $raw = file_get_contents($file);
    $converter = new \Glpi\Inventory\Converter();
    $sxml = simplexml_load_string($raw, 'SimpleXMLElement', LIBXML_NOCDATA)->asXML();
    $b = $budget * (strlen($raw) > (4 << 20) ? 3 : 1);
    [$g, $gn] = cpu_ms(fn() => glpi_convert($converter, $sxml), $b);
    [$e, $en] = cpu_ms(fn() => Inventory::fromXml($raw), $b);
    [$gv, $gvn] = cpu_ms(fn() => glpi_path($raw), $b);
    [$ev, $evn] = cpu_ms(fn() => ext_path($raw), $b);
    $gm = $child('glpi', $file) / 1024;
    $em = $child('ext', $file) / 1024;
    $size = strlen($raw) >= 1 << 20 ? sprintf('%.1f MB', strlen($raw) / (1 << 20)) : sprintf('%.0f KB', strlen($raw) / 1024);
    $line = sprintf(
        '| %s | %s | %.3f (%d) | %.3f (%d) | %.1fx | %.3f (%d) | %.3f (%d) | %.1fx | %.1f | %.1f |',
        $name, $size, $g, $gn, $e, $en, $g / $e, $gv, $gvn, $ev, $evn, $gv / $ev, $gm, $em
    );
    $lines[] = $line;
    echo $line, "\n";
}
array_map('unlink', glob("$tmp/*"));
@rmdir($tmp);
if (isset($opts['out'])) {
    file_put_contents($opts['out'], implode("\n", $lines) . "\n");
}
