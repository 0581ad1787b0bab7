<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

/**
 * The real endpoint (server/index.php) under PHP's built-in server on a free loopback
 * port, with the same extension loaded as the PHP running the tests, and a raw HTTP/1.1
 * client that sends exactly the bytes a test gives it.
 */
final class EndpointServer
{
    /** @var resource */
    private $process;
    private int $port;
    private string $log;

    /**
     * @param array<string, string> $env GAP_* settings for the endpoint
     * @param array<string, string> $ini php.ini settings of the server process
     */
    public function __construct(array $env, private array $ini = [])
    {
        $this->log = tempnam(sys_get_temp_dir(), 'gap-endpoint-log-');
        // The machine is shared: a port found free may be taken before php -S binds it, and
        // then whoever holds it would answer the tests. Only php -S's own "started" line for
        // the port proves it listens; when it cannot, try another port.
        for ($attempt = 0; $attempt < 5; $attempt++) {
            if ($this->start($env)) {
                return;
            }
        }
        $log = $this->log();
        $this->stop();
        throw new \RuntimeException("the endpoint did not start:\n" . $log);
    }

    /** @param array<string, string> $env */
    private function start(array $env): bool
    {
        $this->port = self::freePort();
        file_put_contents($this->log, '');
        $ini = [];
        foreach ($this->ini as $name => $value) {
            array_push($ini, '-d', "$name=$value");
        }
        $command = [PHP_BINARY, ...self::phpArguments(), ...$ini, '-d', 'post_max_size=0', '-d', 'display_errors=0',
            '-d', 'log_errors=1', '-S', "127.0.0.1:{$this->port}", dirname(__DIR__, 2) . '/server/index.php'];
        // The protocol suites post minimal messages, not whole inventories: validation is off
        // unless a test asks for it (EndpointValidationTest, EndpointLenientTest, ...).
        $environment = array_merge(['GAP_VALIDATION' => 'off'], self::inheritedEnvironment(), $env);
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->log, 'a'], 2 => ['file', $this->log, 'a']], $pipes, null, $environment);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start php -S');
        }
        $this->process = $process;
        $started = "(http://127.0.0.1:{$this->port}) started";
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            if (str_contains($this->log(), $started)) {
                return true;
            }
            if (!proc_get_status($this->process)['running']) {
                break;
            }
            usleep(20000);
        }
        proc_terminate($this->process);
        proc_close($this->process);
        return false;
    }

    /** The server's highest resident memory so far (VmHWM), in bytes. */
    public function peakRss(): int
    {
        $pid = proc_get_status($this->process)['pid'];
        $status = (string) @file_get_contents("/proc/$pid/status");
        if (!preg_match('/^VmHWM:\s+(\d+) kB/m', $status, $m)) {
            throw new \RuntimeException("no VmHWM for process $pid");
        }
        return (int) $m[1] * 1024;
    }

    public function stop(): void
    {
        if (isset($this->process) && is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        if (is_file($this->log)) {
            unlink($this->log);
        }
    }

    public function log(): string
    {
        return is_file($this->log) ? (string) file_get_contents($this->log) : '';
    }

    public function url(): string
    {
        return "http://127.0.0.1:{$this->port}/";
    }

    /**
     * @param array<string, string> $headers
     */
    public function request(string $method, array $headers, string $body = '', string $path = '/'): HttpAnswer
    {
        return self::send($this->port, $method, $headers, $body, $path);
    }

    /**
     * Sends every request before reading any answer, so that the servers behind the
     * targets work on all of them at once; answers come back in the order of $requests.
     *
     * @param list<array{0: int|string, 1: string, 2: array<string, string>, 3: string}> $requests
     *        target (a loopback port, or a socket address such as unix:///path), method,
     *        headers, body
     * @return list<HttpAnswer>
     */
    public static function sendAll(array $requests, string $path = '/'): array
    {
        $sockets = [];
        foreach ($requests as [$target, $method, $headers, $body]) {
            [$address, $host] = is_int($target) ? ["tcp://127.0.0.1:$target", "127.0.0.1:$target"] : [$target, 'localhost'];
            $socket = stream_socket_client($address, $errno, $error, 5);
            if ($socket === false) {
                throw new \RuntimeException("cannot connect to $address: $error");
            }
            stream_set_timeout($socket, 60);
            $head = "$method $path HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n";
            foreach ($headers as $name => $value) {
                $head .= "$name: $value\r\n";
            }
            if ($method !== 'GET' || $body !== '') {
                $head .= 'Content-Length: ' . strlen($body) . "\r\n";
            }
            fwrite($socket, $head . "\r\n");
            for ($offset = 0; $offset < strlen($body); $offset += $written) {
                $written = fwrite($socket, substr($body, $offset, 1 << 16));
                if ($written === false || $written === 0) {
                    break;
                }
            }
            $sockets[] = $socket;
        }
        $answers = [];
        foreach ($sockets as $socket) {
            $raw = stream_get_contents($socket);
            fclose($socket);
            $answers[] = HttpAnswer::parse((string) $raw);
        }
        return $answers;
    }

    /** @param array<string, string> $headers */
    public static function send(int|string $target, string $method, array $headers, string $body = '', string $path = '/'): HttpAnswer
    {
        return self::sendAll([[$target, $method, $headers, $body]], $path)[0];
    }

    public function port(): int
    {
        return $this->port;
    }

    /**
     * Arguments that load the extension in the child exactly as in this process: the
     * -d/-n/-c options of this process's own command line (phpunit run as
     * `php -d extension=... phpunit`), or GAP_PHP_ARGS when set.
     *
     * @return list<string>
     */
    public static function phpArguments(): array
    {
        $given = getenv('GAP_PHP_ARGS');
        if (is_string($given) && $given !== '') {
            return preg_split('/\s+/', trim($given)) ?: [];
        }
        $cmdline = @file_get_contents('/proc/self/cmdline');
        if ($cmdline === false) {
            return [];
        }
        $argv = explode("\0", rtrim($cmdline, "\0"));
        if (count($argv) === 1) {
            // PHP's CLI rewrites its argv area for process titles, joining it with spaces.
            $argv = preg_split('/ +/', trim($cmdline)) ?: [];
        }
        $args = [];
        for ($i = 1; $i < count($argv); $i++) {
            $a = $argv[$i];
            if ($a === '-d' || $a === '-c') {
                $args[] = $a;
                $args[] = $argv[++$i] ?? '';
            } elseif ($a === '-n' || str_starts_with($a, '-d') || str_starts_with($a, '-c')) {
                $args[] = $a;
            } else {
                break;
            }
        }
        return $args;
    }

    /** @return array<string, string> */
    private static function inheritedEnvironment(): array
    {
        $env = [];
        foreach (getenv() as $k => $v) {
            // The endpoint reads only the settings a test gives it.
            if (!str_starts_with($k, 'GAP_')) {
                $env[$k] = $v;
            }
        }
        return $env;
    }

    private static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($server === false) {
            throw new \RuntimeException("no free port: $error");
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}

/** An HTTP answer as received, with its body decoded by PHP's own functions. */
final class HttpAnswer
{
    /** @param array<string, string> $headers lower-case names */
    private function __construct(public int $status, public array $headers, public string $body)
    {
    }

    public static function parse(string $raw): self
    {
        $split = strpos($raw, "\r\n\r\n");
        if ($split === false) {
            throw new \RuntimeException('no HTTP answer: ' . substr($raw, 0, 200));
        }
        $lines = explode("\r\n", substr($raw, 0, $split));
        if (!preg_match('#^HTTP/1\.[01] (\d{3})#', $lines[0], $m)) {
            throw new \RuntimeException("bad status line: {$lines[0]}");
        }
        $headers = [];
        foreach (array_slice($lines, 1) as $line) {
            [$name, $value] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
            $headers[strtolower($name)] = $value;
        }
        $body = substr($raw, $split + 4);
        if (str_contains(strtolower($headers['transfer-encoding'] ?? ''), 'chunked')) {
            $body = self::unchunk($body);
        }
        return new self((int) $m[1], $headers, $body);
    }

    private static function unchunk(string $body): string
    {
        $out = '';
        while ($body !== '') {
            $eol = strpos($body, "\r\n");
            $size = hexdec(substr($body, 0, (int) $eol));
            if ($size === 0) {
                break;
            }
            $out .= substr($body, $eol + 2, (int) $size);
            $body = substr($body, $eol + 2 + (int) $size + 2);
        }
        return $out;
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    public function contentType(): string
    {
        return strtolower(trim(explode(';', $this->header('content-type') ?? '', 2)[0]));
    }

    /** The answer body without its compression, undone by PHP's own functions. */
    public function plain(): string
    {
        $plain = match ($this->contentType()) {
            'application/x-compress-zlib', 'application/x-zlib' => gzuncompress($this->body),
            'application/x-compress-gzip', 'application/x-gzip' => gzdecode($this->body),
            'application/x-compress-deflate', 'application/x-deflate' => gzinflate($this->body),
            // PHP has no brotli of its own: the extension decodes it.
            'application/x-compress-br', 'application/x-br' => \GlpiAgentProtocol\decompress($this->body, 'br'),
            default => $this->body,
        };
        if ($plain === false) {
            throw new \RuntimeException('the answer does not decode as its Content-Type says');
        }
        return $plain;
    }

    /** @return array<string, mixed> */
    public function json(): array
    {
        $data = json_decode($this->plain(), true, 512, JSON_THROW_ON_ERROR);
        if (!is_array($data)) {
            throw new \RuntimeException('the answer is not a JSON object');
        }
        return $data;
    }

    /** The error token: JSON "message", or the legacy XML <ERROR>. */
    public function token(): ?string
    {
        $plain = $this->plain();
        if (str_starts_with(ltrim($plain), '<')) {
            $xml = simplexml_load_string($plain);
            return $xml !== false && isset($xml->ERROR) ? (string) $xml->ERROR : null;
        }
        $data = json_decode($plain, true);
        return is_array($data) && isset($data['message']) ? (string) $data['message'] : null;
    }
}
