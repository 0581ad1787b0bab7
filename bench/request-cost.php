<?php
// Where one inventory request's time goes in the reference endpoint, without HTTP: the
// whole Controller::handle() with the extension and with the baseline, then decoding and
// storing timed alone. Explains what bench/load.sh measures through nginx and php-fpm.
//
//   taskset -c 1 php -d extension=.../libglpi_agent_protocol.so bench/request-cost.php [-n N] [FILE]
//
// FILE is a JSON inventory (default: samples/inventory.json, the real 240 KB one). Each mode
// writes to its own temporary SQLite store, deleted at the end.
declare(strict_types=1);

use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Controller;
use GlpiAgentEndpoint\Store;
use GlpiAgentProtocol\Request;

$root = dirname(__DIR__);
require "$root/server/src/autoload.php";

if (!extension_loaded('glpi_agent_protocol')) {
    fwrite(STDERR, "load the extension: php -d extension=.../libglpi_agent_protocol.so bench/request-cost.php\n");
    exit(2);
}
$runs = 300;
$file = "$root/samples/inventory.json";
for ($i = 1; $i < $argc; $i++) {
    if ($argv[$i] === '-n') {
        $runs = max(10, (int) ($argv[++$i] ?? 300));
    } else {
        $file = $argv[$i];
    }
}
$json = file_get_contents($file);
if ($json === false || !is_object(json_decode($json))) {
    fwrite(STDERR, "$file is not a JSON document\n");
    exit(2);
}
$message = json_decode($json);
if (!isset($message->content, $message->deviceid) || ($message->action ?? null) !== 'inventory') {
    // A bare inventory: wrapped as a message. A whole message is sent byte for byte, as
    // the agent wrote it (glpi-agent indents its JSON: a third of the 240 KB sample).
    if (!isset($message->content)) {
        $message = (object) ['content' => $message];
    }
    $message->action = 'inventory';
    $message->deviceid ??= 'request-cost-2026-12-01-00-00-00';
    $json = json_encode($message, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
}
$body = gzcompress($json);
$headers = [
    'Content-Type' => 'application/x-compress-zlib',
    'GLPI-Agent-ID' => '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9',
    'User-Agent' => 'GLPI-Agent_v1.12',
];

/** Milliseconds per call, after a few warm-up calls. */
function per_call(int $runs, callable $fn): float
{
    for ($i = 0; $i < 10; $i++) {
        $fn();
    }
    $started = hrtime(true);
    for ($i = 0; $i < $runs; $i++) {
        $fn();
    }
    return (hrtime(true) - $started) / 1e6 / $runs;
}

$dir = sys_get_temp_dir() . '/gap-request-cost-' . getmypid();
mkdir($dir, 0700);
$stores = [];
$store = static function (string $name) use ($dir, &$stores): Config {
    $dsn = "sqlite:$dir/$name.sqlite";
    $stores[] = "$dir/$name.sqlite";
    return Config::fromArray(['store_dsn' => $dsn, 'baseline' => $name === 'baseline']);
};

$results = [];
foreach (['extension', 'baseline'] as $mode) {
    $config = $store($mode);
    \GlpiAgentEndpoint\Migrations::migrate($config->openStore()->pdo());
    $controller = Controller::fromConfig($config);
    $results['whole request (Controller::handle)'][$mode] = per_call($runs, static function () use ($controller, $headers, $body): void {
        $reply = $controller->handle('POST', $headers, $body);
        if ($reply->status !== 200) {
            throw new RuntimeException("the endpoint answered $reply->status");
        }
    });
}
$results['decoding'] = [
    'extension' => per_call($runs, static fn () => Request::decode($body, $headers)->content()),
    // GLPI's path: a validity decode, then a second one to objects.
    'baseline' => per_call($runs, static function () use ($body): void {
        $plain = gzuncompress($body);
        json_decode($plain, true);
        json_decode($plain);
    }),
];
$config = $store('store-only');
$s = $config->openStore();
\GlpiAgentEndpoint\Migrations::migrate($s->pdo());
$agent = ['agent_uuid' => $headers['GLPI-Agent-ID'], 'device_id' => $message->deviceid, 'name' => 'GLPI-Agent', 'version' => '1.12', 'action' => 'inventory'];
$storing = per_call($runs, static function () use ($s, $agent, $json, $body): void {
    $s->transaction(static function (Store $s) use ($agent, $json, $body): void {
        $id = $s->touchAgent($agent);
        $s->addInventory($id, [
            'action' => 'inventory', 'itemtype' => 'Computer', 'device_id' => $agent['device_id'],
            'request_id' => null, 'partial' => false, 'format' => 'json', 'compression' => 'zlib',
            'raw_size' => strlen($body), 'decoded_size' => strlen($json), 'decode_us' => 0,
            // As the endpoint keeps a compressed JSON inventory: the body as sent.
            'content' => $body, 'content_encoding' => 'zlib',
        ]);
    });
});
$results['storing (agent + inventory row, one transaction)'] = ['extension' => $storing, 'baseline' => $storing];

printf("One inventory request, %s B of JSON (%s B zlib), %d runs, PHP %s\n\n", number_format(strlen($json)), number_format(strlen($body)), $runs, PHP_VERSION);
printf("| %-48s | %9s | %9s | %6s |\n|%s|%s|%s|%s|\n", '', 'extension', 'baseline', 'ratio', str_repeat('-', 50), str_repeat('-', 10) . ':', str_repeat('-', 10) . ':', str_repeat('-', 7) . ':');
foreach ($results as $what => $r) {
    printf("| %-48s | %6.3f ms | %6.3f ms | %5.2fx |\n", $what, $r['extension'], $r['baseline'], $r['baseline'] / $r['extension']);
}

foreach ($stores as $path) {
    foreach (glob("$path*") ?: [] as $f) {
        unlink($f);
    }
}
rmdir($dir);
