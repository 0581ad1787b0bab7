<?php
// A command-line GLPI agent for trying an endpoint: it speaks the protocol the way
// glpi-agent does (PROLOG, CONTACT, then an inventory, with GLPI-Agent-ID kept in a state
// file) or the way FusionInventory does (--legacy: XML only, no agent id), compresses with
// the glpi_agent_protocol extension, and prints every exchange. Given a token, it first
// registers (spec chapter 6: challenge, answer, session key) and then encrypts every
// request (docs/encrypted-exchanges.md), renewing its registration after half its lifetime.
declare(strict_types=1);

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decompress;
use function GlpiAgentProtocol\format_expiration;
use function GlpiAgentProtocol\generate_token;
use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\parse_expiration;
use function GlpiAgentProtocol\seal_message;

const USAGE = <<<'TXT'
Usage: php tools/agent-sim.php --server URL [options]

  --server URL          the endpoint (e.g. http://127.0.0.1:8080/)
  --steps LIST          comma list of register, prolog, contact, inventory (default: prolog,
                        contact,inventory; register first when a token is given)
  --compression ENC     zlib (default), gzip, deflate, br or none
  --inventory FILE      JSON inventory to send (default: samples/inventory.json)
  --legacy              behave like FusionInventory: XML PROLOG and XML inventory, no GLPI-Agent-ID
  --xml FILE            XML inventory for --legacy (default: samples/inventory.xml)
  --state FILE          agent id, device id and session key, created on first use
                        (default: var/agent-sim.json; written with mode 0600)
  --token TOKEN         register with this token (spec chapter 6), then encrypt every request
  --token-file FILE     the same, the token read from FILE (keeps it out of the process list)
  --renew               register again even if the current registration is still fresh
  --cert-file FILE      enroll: REGISTER sends a CSR for the key in FILE (made on first use)
                        and writes the certificate it gets after the key (mode 0600), the
                        one-file form of glpi-agent's ssl-cert-file; every request over
                        https then presents it
  --ca-cert-file FILE   the CA that the https server's certificate must chain to
  --plain               send plain requests even when registered (to see the server refuse them)
  --deviceid ID         device id to use (default: from the state file)
  --tag TAG             tag sent in CONTACT and the inventory
  --no-request-id       do not send GLPI-Request-ID (glpi-agent sends it only with --debug)
  --get-retry           after each JSON answer, GET it again by GLPI-Request-ID and compare
  --user U --password P HTTP basic authentication
  --max-wait SECONDS    longest wait before retrying a "pending" answer (default 5)
  --quiet               one line per exchange
  --summary-json        print a JSON summary of the exchanges at the end
  --help

Exit status: 0 when every exchange got a 2xx answer that is not an error, 1 otherwise.

TXT;

const ENCODING_TYPES = [
    'zlib' => 'application/x-compress-zlib',
    'gzip' => 'application/x-compress-gzip',
    'deflate' => 'application/x-compress-deflate',
    'br' => 'application/x-compress-br',
];

function fail(string $message, int $code = 2): never
{
    fwrite(STDERR, "agent-sim: $message\n");
    exit($code);
}

/** @return array<string, string|bool> */
function parse_options(array $argv): array
{
    $valued = ['server', 'steps', 'compression', 'inventory', 'xml', 'state', 'deviceid', 'tag', 'user', 'password', 'max-wait', 'token', 'token-file', 'cert-file', 'ca-cert-file'];
    $flags = ['legacy', 'no-request-id', 'get-retry', 'quiet', 'summary-json', 'help', 'renew', 'plain'];
    $options = [];
    for ($i = 1; $i < count($argv); $i++) {
        $arg = $argv[$i];
        if (!str_starts_with($arg, '--')) {
            fail("unexpected argument '$arg'\n\n" . USAGE);
        }
        [$name, $value] = array_pad(explode('=', substr($arg, 2), 2), 2, null);
        if (in_array($name, $flags, true) && $value === null) {
            $options[$name] = true;
        } elseif (in_array($name, $valued, true)) {
            $value ??= $argv[++$i] ?? fail("--$name needs a value");
            $options[$name] = $value;
        } else {
            fail("unknown option --$name\n\n" . USAGE);
        }
    }
    return $options;
}

final class Exchange
{
    public string $step;
    public string $method;
    public string $url;
    /** @var array<string, string> */
    public array $requestHeaders = [];
    public int $rawSize = 0;
    public int $plainSize = 0;
    public string $plainKind = '';
    /** The content type inside the envelope, when the request was encrypted. */
    public ?string $innerType = null;
    public ?string $answerInnerType = null;
    public int $status = 0;
    public string $reason = '';
    /** @var array<string, string> */
    public array $answerHeaders = [];
    public int $answerRawSize = 0;
    public string $answerPlain = '';
    public ?string $decodeError = null;
    public float $ms = 0.0;
    public ?string $transportError = null;
    /** An error answer the agent handled by itself (e.g. a refused key, then a plain REGISTER). */
    public bool $handled = false;

    public function answerJson(): ?array
    {
        $data = json_decode($this->answerPlain, true);
        return is_array($data) ? $data : null;
    }

    public function ok(): bool
    {
        if ($this->handled) {
            return true;
        }
        if ($this->transportError !== null || $this->decodeError !== null || $this->status < 200 || $this->status >= 300) {
            return false;
        }
        $json = $this->answerJson();
        return $json === null || ($json['status'] ?? 'ok') !== 'error';
    }

    public function answerHeader(string $name): ?string
    {
        foreach ($this->answerHeaders as $n => $v) {
            if (strcasecmp($n, $name) === 0) {
                return $v;
            }
        }
        return null;
    }
}

final class Agent
{
    /** @var list<Exchange> */
    public array $exchanges = [];

    /** The session key from REGISTER: requests are sealed with it, answers opened. */
    private ?string $key = null;
    /** @var array<string, int> message ids of the server answers opened, until when they are kept */
    private array $seenAnswers = [];

    /** @param array<string, string|bool> $o */
    public function __construct(private array $o, private ?string $agentId, private string $deviceId)
    {
    }

    public function useKey(?string $key): void
    {
        $this->key = $key;
    }

    public function hasKey(): bool
    {
        return $this->key !== null;
    }

    public function deviceId(): string
    {
        return $this->deviceId;
    }

    public function agentId(): ?string
    {
        return $this->agentId;
    }

    public function send(string $step, string $plain, string $kind, string $encoding, bool $retryPending = true): Exchange
    {
        $headers = [
            'Content-Type' => $encoding === 'none' ? "application/$kind" : ENCODING_TYPES[$encoding],
            'Pragma' => 'no-cache',
            'User-Agent' => $this->agentId === null ? 'FusionInventory-Agent-Simulator_v1.0' : 'GLPI-Agent-Simulator_v1.0',
        ];
        if ($this->agentId !== null) {
            $headers['GLPI-Agent-ID'] = $this->agentId;
            if (empty($this->o['no-request-id'])) {
                $headers['GLPI-Request-ID'] = strtoupper(bin2hex(random_bytes(4)));
            }
        }
        $body = $encoding === 'none' ? $plain : compress($plain, $encoding);
        $innerType = null;
        if ($this->key !== null && $this->agentId !== null && empty($this->o['plain'])) {
            // Compressed first, then sealed: ciphertext does not compress.
            $innerType = $headers['Content-Type'];
            $body = seal_message($body, $innerType, $this->key, $this->agentId);
            $headers['Content-Type'] = 'application/x-glpi-encrypted';
            $headers['GLPI-CryptoKey-ID'] = $this->agentId;
        }
        $x = $this->http($step, 'POST', $headers, $body);
        $x->innerType = $innerType;
        $x->plainSize = strlen($plain);
        $x->plainKind = $kind;
        $this->print($x);

        // A proxy may answer "pending": ask again later by GET with the same request id.
        $tries = 0;
        while ($retryPending && ($x->answerJson()['status'] ?? null) === 'pending' && $tries++ < 5) {
            $wait = min(parse_expiration($x->answerJson()['expiration'] ?? '1s'), (int) ($this->o['max-wait'] ?? 5));
            $this->say("  pending: asking again in {$wait}s\n");
            sleep($wait);
            $x = $this->retry($step, $headers);
        }
        if (!empty($this->o['get-retry']) && isset($headers['GLPI-Request-ID']) && $x->answerJson() !== null) {
            $again = $this->retry($step . ' (GET retry)', $headers);
            $same = $again->answerJson() == $x->answerJson() && $again->status === $x->status;
            $this->say($same ? "  GET retry returned the same answer\n" : "  GET retry returned a DIFFERENT answer\n");
            if (!$same) {
                $again->decodeError = 'GET retry answer differs from the first answer';
            }
        }
        return $x;
    }

    /** @param array<string, string> $headers of the first request */
    private function retry(string $step, array $headers): Exchange
    {
        $get = ['Pragma' => 'no-cache', 'User-Agent' => $headers['User-Agent']];
        foreach (['GLPI-Agent-ID', 'GLPI-Request-ID', 'GLPI-CryptoKey-ID'] as $name) {
            if (isset($headers[$name])) {
                $get[$name] = $headers[$name];
            }
        }
        $x = $this->http($step, 'GET', $get, '');
        $this->print($x);
        return $x;
    }

    /** @param array<string, string> $headers */
    /** TLS options: the server checked against --ca-cert-file, our certificate presented once we have one. */
    private function tls(): array
    {
        $tls = ['verify_peer' => true, 'verify_peer_name' => true];
        if (isset($this->o['ca-cert-file'])) {
            $tls['cafile'] = (string) $this->o['ca-cert-file'];
        }
        $file = $this->o['cert-file'] ?? null;
        if (is_string($file) && str_contains((string) @file_get_contents($file), 'BEGIN CERTIFICATE')) {
            $tls['local_cert'] = $file;
        }
        return $tls;
    }

    private function http(string $step, string $method, array $headers, string $body): Exchange
    {
        $x = new Exchange();
        $x->step = $step;
        $x->method = $method;
        $x->url = (string) $this->o['server'];
        $this->exchanges[] = $x;
        if (isset($this->o['user'])) {
            $headers['Authorization'] = 'Basic ' . base64_encode($this->o['user'] . ':' . ($this->o['password'] ?? ''));
        }
        $headers['Connection'] = 'close';
        $x->requestHeaders = $headers;
        $x->rawSize = strlen($body);
        $lines = [];
        foreach ($headers as $n => $v) {
            $lines[] = "$n: $v";
        }
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $lines),
            'content' => $body,
            'ignore_errors' => true,
            'follow_location' => 0,
            'protocol_version' => 1.1,
            'timeout' => 120,
        ], 'ssl' => $this->tls()]);
        $started = hrtime(true);
        $answer = @file_get_contents($x->url, false, $context);
        $x->ms = (hrtime(true) - $started) / 1e6;
        $responseHeaders = $http_response_header ?? [];
        if ($answer === false || $responseHeaders === []) {
            $x->transportError = error_get_last()['message'] ?? 'no answer';
            return $x;
        }
        if (preg_match('#^HTTP/\S+\s+(\d{3})\s*(.*)$#', $responseHeaders[0], $m)) {
            $x->status = (int) $m[1];
            $x->reason = trim($m[2]);
        }
        foreach (array_slice($responseHeaders, 1) as $line) {
            if (str_contains($line, ':')) {
                [$n, $v] = explode(':', $line, 2);
                $x->answerHeaders[trim($n)] = trim($v);
            }
        }
        $x->answerRawSize = strlen($answer);
        $type = strtolower(trim(explode(';', $x->answerHeader('Content-Type') ?? '', 2)[0]));
        if ($type === 'application/x-glpi-encrypted') {
            if ($this->key === null || $this->agentId === null) {
                $x->decodeError = 'an encrypted answer, but this agent holds no key';
                return $x;
            }
            try {
                $opened = open_message($answer, $this->key, $this->agentId);
            } catch (ProtocolException $e) {
                $x->decodeError = 'the encrypted answer does not open: ' . $e->getToken();
                return $x;
            }
            // A GET retry fetches the very answer already opened: only new POST answers count.
            $now = time();
            $this->seenAnswers = array_filter($this->seenAnswers, static fn (int $until): bool => $until >= $now);
            if ($method === 'POST' && isset($this->seenAnswers[$opened['message_id']])) {
                $x->decodeError = 'replayed answer: this message id was already seen';
                return $x;
            }
            $this->seenAnswers[$opened['message_id']] = $opened['keep_until'];
            $x->answerInnerType = $opened['content_type'];
            $answer = $opened['body'];
            $type = strtolower(trim(explode(';', $opened['content_type'], 2)[0]));
        }
        $encoding = array_search($type, ENCODING_TYPES, true);
        if ($encoding === false && in_array($type, ['application/x-zlib', 'application/x-gzip', 'application/x-deflate', 'application/x-br'], true)) {
            $encoding = substr($type, 14);
        }
        try {
            $x->answerPlain = $encoding === false ? $answer : decompress($answer, $encoding);
        } catch (\Throwable $e) {
            $x->decodeError = "cannot decode the $encoding answer: " . $e->getMessage();
            $x->answerPlain = '';
        }
        return $x;
    }

    public function say(string $text): void
    {
        if (empty($this->o['quiet'])) {
            echo $text;
        }
    }

    private function print(Exchange $x): void
    {
        $plain = $x->answerPlain;
        $kind = $x->answerJson() !== null ? 'JSON' : (str_starts_with(ltrim($plain), '<') ? 'XML' : 'bytes');
        $result = $x->transportError !== null ? 'no answer' : sprintf('%d %s', $x->status, $x->reason);
        if (!empty($this->o['quiet'])) {
            printf(
                "%-22s %-4s %-38s %8s B -> %-26s %6s B %7.1f ms  %s\n",
                $x->step, $x->method, ($x->innerType === null ? '' : 'sealed ') . ($x->innerType ?? $x->requestHeaders['Content-Type'] ?? '-'), number_format($x->rawSize),
                $result, number_format($x->answerRawSize), $x->ms, self::oneLine($plain)
            );
            return;
        }
        $title = "── {$x->step} ";
        echo $title . str_repeat('─', max(3, 78 - mb_strlen($title))) . "\n";
        echo "→ {$x->method} {$x->url}\n";
        foreach ($x->requestHeaders as $n => $v) {
            if (!in_array($n, ['Connection', 'User-Agent', 'Pragma', 'Authorization'], true)) {
                echo "  $n: $v\n";
            }
        }
        if ($x->method === 'POST') {
            printf(
                "  body: %s B on the wire%s, %s B of %s\n",
                number_format($x->rawSize),
                $x->innerType === null ? '' : " (encrypted; inside: {$x->innerType})",
                number_format($x->plainSize),
                strtoupper($x->plainKind)
            );
        }
        if ($x->transportError !== null) {
            echo "← no answer: {$x->transportError}\n\n";
            return;
        }
        printf("← %s in %.1f ms\n", $result, $x->ms);
        foreach ($x->answerHeaders as $n => $v) {
            if (in_array(strtolower($n), ['content-type', 'glpi-agent-id', 'glpi-request-id', 'glpi-cryptokey-id', 'www-authenticate', 'allow'], true)) {
                echo "  $n: $v\n";
            }
        }
        printf(
            "  body: %s B on the wire%s, %s B of %s\n",
            number_format($x->answerRawSize),
            $x->answerInnerType === null ? '' : " (encrypted; inside: {$x->answerInnerType})",
            number_format(strlen($plain)),
            $kind
        );
        if ($x->decodeError !== null) {
            echo "  ! {$x->decodeError}\n";
        }
        if ($plain !== '') {
            $shown = $kind === 'JSON'
                ? json_encode(json_decode($plain), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
                : trim($plain);
            echo '  ' . str_replace("\n", "\n  ", strlen($shown) > 2000 ? substr($shown, 0, 2000) . '…' : $shown) . "\n";
        }
        echo "\n";
    }

    private static function oneLine(string $s): string
    {
        $s = trim(preg_replace('/\s+/', ' ', $s) ?? '');
        return strlen($s) > 90 ? substr($s, 0, 90) . '…' : $s;
    }
}

function prolog_xml(string $deviceId): string
{
    $doc = new DOMDocument('1.0', 'UTF-8');
    $doc->formatOutput = true;
    $root = $doc->appendChild($doc->createElement('REQUEST'));
    $root->appendChild($doc->createElement('DEVICEID'))->appendChild($doc->createTextNode($deviceId));
    $root->appendChild($doc->createElement('QUERY', 'PROLOG'));
    $root->appendChild($doc->createElement('TOKEN', '12345678'));
    return $doc->saveXML();
}

function json_message(array $fields): string
{
    $json = json_encode($fields, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
    // glpi-agent (Perl JSON::PP) indents by three spaces, PHP by four: match the agent so
    // that sizes on the wire are the real ones.
    return preg_replace_callback('/^(?: {4})+/m', static fn (array $m): string => str_repeat(' ', intdiv(strlen($m[0]), 4) * 3), $json) . "\n";
}

/** @return array{agentid: string, deviceid: string, registration?: array<string, mixed>} */
function load_state(string $file): array
{
    if (is_file($file)) {
        $state = json_decode((string) file_get_contents($file), true);
        if (is_array($state) && isset($state['agentid'], $state['deviceid'])) {
            return $state;
        }
        fail("state file $file is not valid; delete it to start a new agent");
    }
    $state = [
        'agentid' => generate_token(),
        // glpi-agent's form, host name then creation time. Each state file is another
        // simulated host, so its name joins the host name: two agents created in the same
        // second must not share a device id (legacy agents are known by it alone).
        'deviceid' => (gethostname() ?: 'agent-sim') . '-' . preg_replace('/[^A-Za-z0-9-]+/', '-', basename($file, '.json')) . '-' . gmdate('Y-m-d-H-i-s'),
    ];
    save_state($file, $state);
    return $state;
}

/** The state holds the session key once registered: only its owner may read it. */
function save_state(string $file, array $state): void
{
    if (!is_dir(dirname($file))) {
        mkdir(dirname($file), 0775, true);
    }
    $tmp = $file . '.' . getmypid() . '.tmp';
    touch($tmp);
    chmod($tmp, 0600);
    file_put_contents($tmp, json_encode($state, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
    rename($tmp, $file);
}

/**
 * REGISTER (spec 6.1, 6.2 agent side): first message, answer to the challenge, then the
 * session key from the final answer. Returns the new registration for the state file, or
 * null when the server did not register the agent (error, manual validation pending).
 *
 * @return array{key: ?string, registered_at: int, expires_at: int}|null
 */
function register(Agent $agent, string $token, ?string $tag, string $encoding, ?string $certFile = null): ?array
{
    $say = $agent->say(...);
    $csr = $certFile === null ? null : enrollment_request($certFile, (string) $agent->agentId());
    // Spec 6.1.3: an agent that cannot go on with the challenge says so.
    $giveUp = static fn (): Exchange => $agent->send('REGISTER (failure)', json_message(['action' => 'register', 'challenge' => 'failure']), 'json', $encoding, false);
    $first = [
        'action' => 'register',
        'deviceid' => $agent->deviceId(),
        // This agent listens on no port (spec 6.1.1: 0 when not joinable).
        'port' => 0,
        'name' => 'GLPI-Agent-Simulator',
        'version' => '1.0',
    ];
    if ($tag !== null) {
        $first['tag'] = $tag;
    }
    if ($csr !== null) {
        $first['csr'] = $csr;
    }
    $x = $agent->send('REGISTER', json_message($first), 'json', $encoding, false);
    $answer = $x->answerJson() ?? [];
    if ($agent->hasKey() && $x->status === 403 && in_array($answer['message'] ?? null, ['key expired', 'unknown cryptokey'], true)) {
        // The operator revoked the key or asked for a new registration: the token still
        // proves who we are, so register again in the clear.
        $say("  the server no longer takes this key: registering in the clear\n");
        $x->handled = true;
        $agent->useKey(null);
        $x = $agent->send('REGISTER', json_message($first), 'json', $encoding, false);
        $answer = $x->answerJson() ?? [];
    }
    if (($answer['status'] ?? null) !== 'pending' || ($answer['needs'] ?? null) !== 'token-validation' || !is_string($answer['challenge'] ?? null)) {
        $say("  not registered: the server asked for no token validation\n\n");
        return null;
    }
    try {
        $mine = RegisterAgent::answer($token, (string) $agent->agentId(), $answer['challenge']);
    } catch (ProtocolException $e) {
        // Wrong token on either side, or a challenge for another agent: say so (spec 6.2.2).
        $say("  the challenge does not decrypt for this agent ({$e->getToken()}): answering failure\n");
        $giveUp();
        return null;
    }
    $x = $agent->send('REGISTER (challenge)', json_message(['action' => 'register', 'challenge' => $mine['answer']]), 'json', $encoding, false);
    $final = $x->answerJson() ?? [];
    if (($final['status'] ?? null) !== 'registered') {
        $why = ($final['status'] ?? '') === 'pending' ? 'waiting for ' . ($final['needs'] ?? 'the server') : ($final['message'] ?? 'no answer');
        $say("  not registered: $why\n\n");
        return null;
    }
    try {
        $key = RegisterAgent::finish($token, $mine['state'], (string) ($final['challenge'] ?? ''), $final['crypto'] ?? null);
    } catch (ProtocolException $e) {
        // The server did not prove it knows the token: its key cannot be trusted.
        $say("  the server's final challenge does not check out ({$e->getToken()}): answering failure\n");
        $giveUp();
        return null;
    }
    if ($certFile !== null && is_string($final['certificate'] ?? null)) {
        save_certificate($certFile, $final['certificate']);
        $parsed = openssl_x509_parse($final['certificate']);
        $say(sprintf("  client certificate received (serial %s, until %s UTC), written after its key to %s\n",
            strtolower($parsed['serialNumberHex'] ?? '?'), gmdate('Y-m-d H:i:s', (int) ($parsed['validTo_time_t'] ?? 0)), $certFile));
    }
    $lifetime = parse_expiration($final['expiration'] ?? '1d');
    $now = time();
    $say(sprintf(
        "  registered for %s: %s; registering again after %s\n\n",
        format_expiration($lifetime),
        $key === null ? 'the server sends no key, requests stay plain' : 'session key received (16 bytes, kept in the state file)',
        gmdate('Y-m-d H:i:s', $now + intdiv($lifetime, 2)) . ' UTC'
    ));
    return ['key' => $key === null ? null : bin2hex($key), 'registered_at' => $now, 'expires_at' => $now + $lifetime];
}

/**
 * The CSR for the key kept in $file (an EC P-256 key made on first use, mode 0600). The
 * subject is only a wish: the server's CA sets the certificate's own.
 */
function enrollment_request(string $file, string $agentId): string
{
    $pem = (string) @file_get_contents($file);
    $key = $pem === '' ? false : openssl_pkey_get_private($pem);
    if ($key === false) {
        $key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
        openssl_pkey_export($key, $keyPem);
        save_private($file, $keyPem);
    }
    $csr = openssl_csr_new(['commonName' => $agentId], $key, ['digest_alg' => 'sha256']);
    openssl_csr_export($csr, $out);
    return $out;
}

/** The key, then the certificate: one PEM file, as glpi-agent's ssl-cert-file reads it. */
function save_certificate(string $file, string $certificate): void
{
    $key = openssl_pkey_get_private((string) file_get_contents($file));
    openssl_pkey_export($key, $keyPem);
    save_private($file, $keyPem . $certificate);
}

function save_private(string $file, string $contents): void
{
    $tmp = "$file.tmp";
    @unlink($tmp);
    $h = fopen($tmp, 'x');
    if ($h === false) {
        fail("cannot write $tmp");
    }
    chmod($tmp, 0600);
    fwrite($h, $contents);
    fclose($h);
    rename($tmp, $file);
}

// ---------------------------------------------------------------------------------------

$o = parse_options($argv);
if (!empty($o['help'])) {
    echo USAGE;
    exit(0);
}
if (!extension_loaded('glpi_agent_protocol') && !function_exists('GlpiAgentProtocol\compress')) {
    fail('the glpi_agent_protocol extension is not loaded (php -d extension=/path/to/libglpi_agent_protocol.so ...)');
}
if (!isset($o['server']) || !preg_match('#^https?://#', (string) $o['server'])) {
    fail("--server http://HOST:PORT/ is required\n\n" . USAGE);
}
$root = dirname(__DIR__);
$encoding = strtolower((string) ($o['compression'] ?? 'zlib'));
if ($encoding !== 'none' && !isset(ENCODING_TYPES[$encoding])) {
    fail("unknown compression '$encoding' (zlib, gzip, deflate, br, none)");
}
$legacy = !empty($o['legacy']);
$token = null;
if (isset($o['token-file'])) {
    $token = trim((string) @file_get_contents((string) $o['token-file']));
    if ($token === '') {
        fail("cannot read a token from {$o['token-file']}");
    }
} elseif (isset($o['token'])) {
    $token = (string) $o['token'];
}
if ($token !== null && $legacy) {
    fail('FusionInventory agents do not register: --token needs the JSON protocol');
}
$defaultSteps = $legacy ? 'prolog,inventory' : ($token !== null ? 'register,prolog,contact,inventory' : 'prolog,contact,inventory');
$steps = array_filter(array_map('trim', explode(',', (string) ($o['steps'] ?? $defaultSteps))));
foreach ($steps as $step) {
    if (!in_array($step, ['register', 'prolog', 'contact', 'inventory'], true)) {
        fail("unknown step '$step' (register, prolog, contact, inventory)");
    }
    if ($step === 'register' && $token === null) {
        fail('the register step needs --token or --token-file');
    }
}
$stateFile = (string) ($o['state'] ?? "$root/var/agent-sim.json");
$state = load_state($stateFile);
$deviceId = (string) ($o['deviceid'] ?? $state['deviceid']);
$agent = new Agent($o, $legacy ? null : $state['agentid'], $deviceId);
$tag = isset($o['tag']) ? (string) $o['tag'] : null;
$registration = $state['registration'] ?? null;
if (!$legacy && is_array($registration) && ($registration['expires_at'] ?? 0) > time() && is_string($registration['key'] ?? null)) {
    $agent->useKey((string) hex2bin($registration['key']));
}

if (empty($o['quiet'])) {
    printf("agent %s, device %s, %s, %s\n\n", $agent->agentId() ?? '(legacy, no agent id)', $deviceId, $encoding, implode(' → ', $steps));
}

foreach ($steps as $step) {
    switch ($step) {
        case 'register':
            // Spec 6.1.2: register again after half of the registration's lifetime.
            $now = time();
            $fresh = is_array($registration)
                && $now < (int) $registration['registered_at'] + intdiv((int) $registration['expires_at'] - (int) $registration['registered_at'], 2);
            if ($fresh && empty($o['renew'])) {
                if (empty($o['quiet'])) {
                    printf("── REGISTER: registered until %s UTC, nothing to renew yet\n\n", gmdate('Y-m-d H:i:s', (int) $registration['expires_at']));
                }
                continue 2;
            }
            $registration = register($agent, (string) $token, $tag, $encoding, isset($o['cert-file']) ? (string) $o['cert-file'] : null);
            $x = end($agent->exchanges);
            if ($registration === null) {
                // Nothing else would be accepted from an agent the server did not register.
                $agent->exchanges[] = $failed = new Exchange();
                $failed->step = 'REGISTER (outcome)';
                $failed->method = '-';
                $failed->url = (string) $o['server'];
                $failed->decodeError = 'not registered';
                break 2;
            }
            $state['registration'] = $registration;
            save_state($stateFile, $state);
            $agent->useKey($registration['key'] === null ? null : (string) hex2bin($registration['key']));
            break;
        case 'prolog':
            // FusionInventory servers only read PROLOG as XML, zlib or gzip (spec 4.1.1).
            $prologEncoding = in_array($encoding, ['zlib', 'gzip', 'none'], true) ? $encoding : 'zlib';
            $x = $agent->send('PROLOG', prolog_xml($deviceId), 'xml', $prologEncoding);
            break;
        case 'contact':
            if ($legacy) {
                fail('FusionInventory agents do not send CONTACT');
            }
            $message = [
                'action' => 'contact',
                'deviceid' => $deviceId,
                'name' => 'GLPI-Agent-Simulator',
                'version' => '1.0',
                'installed-tasks' => ['inventory', 'netdiscovery', 'netinventory', 'deploy', 'collect', 'esx', 'wakeonlan', 'remoteinventory'],
                'enabled-tasks' => ['inventory', 'deploy'],
                'httpd-port' => '62354',
                'httpd-plugins' => ['ssl' => ['disabled' => 'yes'], 'proxy' => ['disabled' => 'yes'], 'toolbox' => ['disabled' => 'yes']],
            ];
            if ($tag !== null) {
                $message['tag'] = $tag;
            }
            $x = $agent->send('CONTACT', json_message($message), 'json', $encoding);
            break;
        case 'inventory':
            if ($legacy) {
                $file = (string) ($o['xml'] ?? "$root/samples/inventory.xml");
                $xml = @file_get_contents($file);
                if ($xml === false) {
                    fail("cannot read $file");
                }
                $xml = preg_replace('#<DEVICEID>[^<]*</DEVICEID>#', '<DEVICEID>' . htmlspecialchars($deviceId, ENT_XML1) . '</DEVICEID>', $xml, 1) ?? $xml;
                $x = $agent->send('INVENTORY (XML)', $xml, 'xml', $encoding);
                break;
            }
            $file = (string) ($o['inventory'] ?? "$root/samples/inventory.json");
            $text = @file_get_contents($file);
            $inventory = $text === false ? null : json_decode($text);
            if (!$inventory instanceof stdClass) {
                fail("$file is not a JSON inventory");
            }
            if (!isset($inventory->content)) {
                // A bare inventory content: wrap it as a message.
                $inventory = (object) ['content' => $inventory];
            }
            $inventory->action = 'inventory';
            $inventory->deviceid = $deviceId;
            $inventory->itemtype ??= 'Computer';
            if ($tag !== null) {
                $inventory->tag = $tag;
            }
            $x = $agent->send('INVENTORY', json_message((array) $inventory), 'json', $encoding);
            break;
    }
    if ($x->transportError !== null) {
        break;
    }
}

$ok = array_reduce($agent->exchanges, fn (bool $carry, Exchange $x): bool => $carry && $x->ok(), true);
if (!empty($o['summary-json'])) {
    echo json_encode([
        'agentid' => $agent->agentId(),
        'deviceid' => $deviceId,
        'compression' => $encoding,
        'ok' => $ok,
        'exchanges' => array_map(fn (Exchange $x): array => [
            'step' => $x->step, 'method' => $x->method, 'status' => $x->status,
            'request_bytes' => $x->rawSize, 'plain_bytes' => $x->plainSize,
            'answer_bytes' => $x->answerRawSize, 'answer' => $x->answerJson() ?? $x->answerPlain,
            'ms' => round($x->ms, 2), 'ok' => $x->ok(),
        ], $agent->exchanges),
    ], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
}
exit($ok ? 0 : 1);
