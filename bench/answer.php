<?php
// Answer encoding micro-benchmark: Response::forRequest()->body() against PHP's own
// gzcompress(json_encode()) (gzencode, gzdeflate for the other encodings) for the answers
// an endpoint actually sends, and CONTACT answers of a growing number of jobs around the
// size where the extension switches encoders (4 KiB of JSON), same process.
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

function contact_with_jobs(int $n): array
{
    return [
        'status' => 'ok', 'expiration' => '1d',
        'jobs' => ['networkinventory' => array_map(
            fn ($i) => ['task' => 'networkinventory', 'jobid' => "job-$i", 'credentials' => ['1', '2'], 'ip' => "10.0." . intdiv($i, 250) . '.' . ($i % 250)],
            range(1, $n))],
        'credentials' => ['1' => ['community' => 'public', 'type' => 'snmp', 'version' => 'v1'],
                          '2' => ['community' => 'public', 'type' => 'snmp', 'version' => 'v2c']],
    ];
}

$answers = [
    'inventory ok' => ['status' => 'ok', 'expiration' => 24],
    'contact' => [
        'status' => 'ok', 'expiration' => '1d',
        'tasks' => ['inventory' => ['server' => 'glpi', 'version' => '10.0.0', 'no-category' => 'process']],
        'disabled' => ['collect', 'deploy', 'esx', 'wakeonlan', 'remoteinventory'],
    ],
    'contact with 10 jobs' => contact_with_jobs(10),
    'contact with 40 jobs' => contact_with_jobs(40),
    'contact with 50 jobs' => contact_with_jobs(50),
    'contact with 200 jobs' => contact_with_jobs(200),
    'contact with 2000 jobs' => contact_with_jobs(2000),
];
$runs = 2000;
$agent = '3a609a2e-947f-4e6a-9af9-32c024ac3944';
$contact = '{"action":"contact","deviceid":"bench","name":"GLPI-Agent","version":"1.12","installed-tasks":["inventory"]}';
$encodings = [
    'zlib' => ['gzcompress', 'application/x-compress-zlib'],
    'gzip' => ['gzencode', 'application/x-compress-gzip'],
    'deflate' => ['gzdeflate', 'application/x-compress-deflate'],
];

printf("PHP %s; median of %d runs, microseconds\n\n", PHP_VERSION, $runs);
echo "| answer | JSON bytes | encoding | PHP | Response::forRequest()->body() | ratio | PHP bytes | body bytes |\n|---|---:|---|---:|---:|---:|---:|---:|\n";
foreach ($answers as $name => $answer) {
    foreach ($encodings as $encoding => [$php_encoder, $type]) {
        $request = Request::decode($php_encoder($contact), ['Content-Type' => $type, 'GLPI-Agent-ID' => $agent]);
        $body = Response::forRequest($request, $answer)->body();
        if (zlib_decode($body) !== json_encode($answer)) {
            throw new RuntimeException("$name, $encoding: the answer does not decode to json_encode()'s text");
        }
        $php = median_time(fn () => $php_encoder(json_encode($answer)), $runs);
        $ext = median_time(fn () => Response::forRequest($request, $answer)->body(), $runs);
        printf("| %s | %d | %s | %.1f | %.1f | %.2fx | %d | %d |\n", $name, strlen(json_encode($answer)), $encoding,
            $php, $ext, $php / $ext, strlen($php_encoder(json_encode($answer))), strlen($body));
    }
}
