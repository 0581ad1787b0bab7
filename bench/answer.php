<?php
// Answer encoding micro-benchmark: Response::forRequest()->body() against PHP's own
// gzcompress(json_encode()) for the answers an endpoint actually sends, same process.
//   php -d extension=... bench/answer.php

declare(strict_types=1);

use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;

function median_time(callable $fn, int $runs): float
{
    $fn();
    $times = [];
    for ($i = 0; $i < $runs; $i++) {
        $t = hrtime(true);
        $fn();
        $times[] = hrtime(true) - $t;
    }
    sort($times);
    return $times[intdiv($runs, 2)] / 1e3;
}

$answers = [
    'inventory ok' => ['status' => 'ok', 'expiration' => 24],
    'contact' => [
        'status' => 'ok', 'expiration' => '1d',
        'tasks' => ['inventory' => ['server' => 'glpi', 'version' => '10.0.0', 'no-category' => 'process']],
        'disabled' => ['collect', 'deploy', 'esx', 'wakeonlan', 'remoteinventory'],
    ],
    'contact with 200 jobs' => [
        'status' => 'ok', 'expiration' => '1d',
        'jobs' => ['networkinventory' => array_map(
            fn ($i) => ['task' => 'networkinventory', 'jobid' => "job-$i", 'credentials' => ['1', '2'], 'ip' => "10.0." . intdiv($i, 250) . '.' . ($i % 250)],
            range(1, 200))],
        'credentials' => ['1' => ['community' => 'public', 'type' => 'snmp', 'version' => 'v1'],
                          '2' => ['community' => 'public', 'type' => 'snmp', 'version' => 'v2c']],
    ],
];
$runs = 2000;
$agent = '3a609a2e-947f-4e6a-9af9-32c024ac3944';
$contact = gzcompress('{"action":"contact","deviceid":"bench","name":"GLPI-Agent","version":"1.12","installed-tasks":["inventory"]}');
$request = Request::decode($contact, ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => $agent]);

printf("PHP %s; median of %d runs, microseconds\n\n", PHP_VERSION, $runs);
echo "| answer | gzcompress(json_encode()) | Response::forRequest()->body() | ratio |\n|---|---:|---:|---:|\n";
foreach ($answers as $name => $answer) {
    $php = median_time(fn () => gzcompress(json_encode($answer)), $runs);
    $ext = median_time(fn () => Response::forRequest($request, $answer)->body(), $runs);
    printf("| %s | %.1f | %.1f | %.2fx |\n", $name, $php, $ext, $php / $ext);
}
