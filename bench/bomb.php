<?php
// A zlib bomb against Request::decode() and against PHP's gzuncompress(): 2 GiB of zeros
// compressed to about 2 MB. Prints how long each takes to give up and how much memory
// the process reached.
//
//   php -d extension=.../libglpi_agent_protocol.so bench/bomb.php [GIB]
//
// PHP's side runs in a child process under memory_limit=1G, since running out of memory
// is a fatal error there.
declare(strict_types=1);

$gib = max(1, (int) ($argv[1] ?? 2));

if (($argv[1] ?? '') === '--php-child') {
    $bomb = stream_get_contents(STDIN);
    $started = hrtime(true);
    register_shutdown_function(static function () use ($started): void {
        fprintf(STDERR, "%.0f %d\n", (hrtime(true) - $started) / 1e6, getrusage()['ru_maxrss']);
    });
    $plain = @gzuncompress($bomb);
    exit($plain === false ? 1 : 0);
}

if (!extension_loaded('glpi_agent_protocol')) {
    fwrite(STDERR, "load the extension: php -d extension=.../libglpi_agent_protocol.so bench/bomb.php\n");
    exit(2);
}

$deflate = deflate_init(ZLIB_ENCODING_DEFLATE, ['level' => 9]);
$zeros = str_repeat("\0", 1 << 20);
$bomb = '';
for ($i = 0; $i < $gib * 1024; $i++) {
    $bomb .= deflate_add($deflate, $zeros, ZLIB_NO_FLUSH);
}
$bomb .= deflate_add($deflate, '', ZLIB_FINISH);
unset($zeros);
printf("bomb: %s bytes of zlib inflating to %d GiB\n", number_format(strlen($bomb)), $gib);

$rssBefore = getrusage()['ru_maxrss'];
$started = hrtime(true);
try {
    GlpiAgentProtocol\Request::decode($bomb, ['Content-Type' => 'application/x-compress-zlib']);
    echo "extension: ACCEPTED the bomb\n";
    exit(1);
} catch (GlpiAgentProtocol\ProtocolException $e) {
    printf(
        "extension: %d %s after %.2f ms; peak RSS of the process %s KB before, %s KB after\n",
        $e->getCode(), $e->getToken(), (hrtime(true) - $started) / 1e6,
        number_format($rssBefore), number_format(getrusage()['ru_maxrss'])
    );
}

$child = proc_open(
    [PHP_BINARY, '-n', '-d', 'extension=zlib', '-d', 'memory_limit=1G', __FILE__, '--php-child'],
    [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
    $pipes
);
fwrite($pipes[0], $bomb);
fclose($pipes[0]);
stream_get_contents($pipes[1]);
$report = trim((string) stream_get_contents($pipes[2]));
$code = proc_close($child);
[$ms, $rss] = array_map('intval', explode(' ', preg_replace('/.*\n/s', '', $report)) + [0, 0]);
printf("PHP gzuncompress (memory_limit=1G): gave up after %d ms (exit %d), peak RSS %s KB\n", $ms, $code, number_format($rss));
