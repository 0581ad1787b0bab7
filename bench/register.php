<?php
// REGISTER and encrypted-exchange benchmark, in one PHP process, extension against the
// same work written in plain PHP (openssl, random_bytes, hash_hkdf, hash_equals):
//   (1) the server side of the REGISTER handshake (spec 6.2.1 and 6.2.3):
//       RegisterServer::challenge() and RegisterServer::verify() against a PHP version
//       that keeps its state exactly as the extension does (same sealed format);
//   (2) seal_message() / open_message() against openssl_encrypt/openssl_decrypt
//       ('aes-128-gcm') building and parsing the same envelope (docs/encrypted-exchanges.md),
//       for 1 KiB, 64 KiB and 1 MiB bodies;
//   (3) the server path for an encrypted inventory: Request::decode()->content() against
//       open + gzuncompress + json_decode in PHP, on a ~1 MB JSON inventory.
// Before timing, every PHP result is checked against the extension's other side (and the
// other way round); any disagreement aborts. Prints Markdown tables (medians) and writes
// them to bench/results/register.md unless --quick.
//
//   make bench   (or: taskset -c 1 php -d extension=$CARGO_TARGET_DIR/release/libglpi_agent_protocol.so bench/register.php [--quick])

declare(strict_types=1);

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;
use GlpiAgentProtocol\RegisterServer;
use GlpiAgentProtocol\Request;
use function GlpiAgentProtocol\generate_token;
use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;

if (!class_exists(RegisterServer::class)) {
    fwrite(STDERR, "load the extension: php -d extension=.../libglpi_agent_protocol.so bench/register.php\n");
    exit(1);
}

$quick = in_array('--quick', $argv, true);
$root = dirname(__DIR__);

// ---------------------------------------------------------------------------------------
// The PHP implementations under comparison.

/** The 16 bytes of a UUID string (RFC 4122 order), or null when it is not one. */
function php_uuid_bytes(string $text): ?string
{
    if (strlen($text) !== 36 || $text[8] !== '-' || $text[13] !== '-' || $text[18] !== '-' || $text[23] !== '-') {
        return null;
    }
    $hex = str_replace('-', '', $text);
    return strlen($hex) === 32 && ctype_xdigit($hex) ? hex2bin($hex) : null;
}

function php_uuid_text(string $bytes): string
{
    $h = bin2hex($bytes);
    return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-'
        . substr($h, 16, 4) . '-' . substr($h, 20);
}

function php_block_encrypt(string $key, string $block): string
{
    return openssl_encrypt($block, 'aes-128-ecb', $key, OPENSSL_RAW_DATA | OPENSSL_ZERO_PADDING);
}

function php_block_decrypt(string $key, string $block): string
{
    return openssl_decrypt($block, 'aes-128-ecb', $key, OPENSSL_RAW_DATA | OPENSSL_ZERO_PADDING);
}

const PHP_STATE_LABEL = 'glpi-agent-protocol register server-state v1';
const PHP_STATE_PLAIN = 8 + 16 + 8;

/** Server state: version 1 | salt (16) | AES-128-GCM(secret | agent id | time) | tag, base64url. */
function php_state_seal(string $tokenKey, string $plain): array
{
    $salt = random_bytes(16);
    $key = hash_hkdf('sha256', $tokenKey, 16, PHP_STATE_LABEL, $salt);
    $header = "\x01" . $salt;
    $ct = openssl_encrypt($plain, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, str_repeat("\0", 12), $tag, $header, 16);
    return [rtrim(strtr(base64_encode($header . $ct . $tag), '+/', '-_'), '='), $salt];
}

/** @return array{0:string,1:string}|null plaintext and salt */
function php_state_open(string $tokenKey, string $state): ?array
{
    $raw = strlen($state) <= 88 ? base64_decode(strtr($state, '-_', '+/'), true) : false;
    if ($raw === false || strlen($raw) !== 17 + PHP_STATE_PLAIN + 16 || $raw[0] !== "\x01") {
        return null;
    }
    $salt = substr($raw, 1, 16);
    $key = hash_hkdf('sha256', $tokenKey, 16, PHP_STATE_LABEL, $salt);
    $plain = openssl_decrypt(substr($raw, 17, PHP_STATE_PLAIN), 'aes-128-gcm', $key, OPENSSL_RAW_DATA,
        str_repeat("\0", 12), substr($raw, 17 + PHP_STATE_PLAIN), substr($raw, 0, 17));
    return $plain === false ? null : [$plain, $salt];
}

/** Spec 6.2.1 in PHP: same return shape as RegisterServer::challenge(). */
function php_challenge(string $token, string $agentId): array
{
    $tokenKey = php_uuid_bytes($token) ?? throw new ValueError('a token must be a UUID string');
    $target = php_uuid_bytes($agentId) ?? throw new ProtocolException('bad agent id', 400);
    $secret = random_bytes(8);
    $challenge = php_block_encrypt($tokenKey, $secret . substr($target, 8));
    [$state, $salt] = php_state_seal($tokenKey, $secret . $target . pack('J', time()));
    return ['challenge' => php_uuid_text($challenge), 'state' => $state, 'state_id' => php_uuid_text($salt)];
}

/** Spec 6.2.3 in PHP: same return shape and failures as RegisterServer::verify(). */
function php_verify(string $token, string $state, string $answer, int $maxAge = 60): array
{
    $tokenKey = php_uuid_bytes($token) ?? throw new ValueError('a token must be a UUID string');
    $opened = php_state_open($tokenKey, $state) ?? throw new ProtocolException('challenge failed', 403);
    [$plain, $salt] = $opened;
    $serverSecret = substr($plain, 0, 8);
    $target = substr($plain, 8, 16);
    $created = unpack('J', $plain, 24)[1];
    $now = time();
    if ($created > $now + 30 || $now - $created > $maxAge) {
        throw new ProtocolException('challenge failed', 403);
    }
    $a = php_uuid_bytes($answer) ?? throw new ProtocolException('challenge failed', 403);
    $secret = php_block_decrypt($tokenKey, $a);
    // The second test refuses the challenge reflected back as the answer.
    $good = hash_equals($serverSecret, substr($secret, 0, 8)) & !hash_equals(substr($target, 8), substr($secret, 8));
    if (!$good) {
        throw new ProtocolException('challenge failed', 403);
    }
    $final = php_block_encrypt($tokenKey, substr($secret, 8) . $serverSecret);
    $key = random_bytes(16);
    return [
        'challenge' => php_uuid_text($final),
        'crypto' => php_uuid_text(php_block_encrypt($tokenKey, $key)),
        'key' => $key,
        'agent_id' => php_uuid_text($target),
        'state_id' => php_uuid_text($salt),
    ];
}

const PHP_DIRECTIONS = ['agent-to-server' => "\x01", 'server-to-agent' => "\x02"];

/** seal_message() in PHP. */
function php_seal(string $body, string $type, string $key, string $agentId, ?string $cryptokeyId = null,
    string $direction = 'agent-to-server'): string
{
    $aad = (php_uuid_bytes($agentId) ?? throw new ValueError('bad agent id'))
        . (php_uuid_bytes($cryptokeyId ?? $agentId) ?? throw new ValueError('bad cryptokey id'));
    $nonce = random_bytes(12);
    $head = "\x01" . PHP_DIRECTIONS[$direction] . pack('J', time()) . $nonce . chr(strlen($type)) . $type;
    $ct = openssl_encrypt($body, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $head . $aad, 16);
    return $head . $ct . $tag;
}

/** open_message() in PHP, checks in the order of docs/encrypted-exchanges.md section 4. */
function php_open(string $env, string $key, string $agentId, ?string $cryptokeyId = null,
    string $direction = 'server-to-agent', int $maxAge = 300): array
{
    $fail = fn () => new ProtocolException('decryption failed', 400);
    $n = strlen($env);
    if ($n < 40 || $env[0] !== "\x01" || $env[1] !== PHP_DIRECTIONS[$direction]) {
        throw $fail();
    }
    $l = ord($env[22]);
    if ($l < 1 || $l > 127 || 23 + $l + 16 > $n) {
        throw $fail();
    }
    $type = substr($env, 23, $l);
    if (!ctype_print($type)) {
        throw $fail();
    }
    $aad = (php_uuid_bytes($agentId) ?? throw new ValueError('bad agent id'))
        . (php_uuid_bytes($cryptokeyId ?? $agentId) ?? throw new ValueError('bad cryptokey id'));
    $head = substr($env, 0, 23 + $l);
    $body = openssl_decrypt(substr($env, 23 + $l, $n - 23 - $l - 16), 'aes-128-gcm', $key, OPENSSL_RAW_DATA,
        substr($env, 10, 12), substr($env, -16), $head . $aad);
    if ($body === false) {
        throw $fail();
    }
    $ts = unpack('J', $env, 2)[1];
    if (abs(time() - $ts) > $maxAge) {
        throw new ProtocolException('stale message', 400);
    }
    return ['content_type' => $type, 'body' => $body, 'message_id' => bin2hex(substr($env, 10, 12)),
        'timestamp' => $ts, 'keep_until' => $ts + $maxAge];
}

// ---------------------------------------------------------------------------------------
// Cross-checks: abort unless each side accepts what the other makes.

function check(bool $ok, string $what): void
{
    if (!$ok) {
        fwrite(STDERR, "bench: cross-check failed: $what\n");
        exit(3);
    }
}

function refused(callable $fn): bool
{
    try {
        $fn();
        return false;
    } catch (ProtocolException) {
        return true;
    }
}

$token = generate_token();
$otherToken = generate_token();
$agentId = '3a609a2e-947f-4e6a-9af9-32c024ac3944';
$proxyId = '0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d';

foreach (['extension' => [RegisterServer::challenge(...), RegisterServer::verify(...)],
          'PHP' => [php_challenge(...), php_verify(...)]] as $side => [$challengeFn, $verifyFn]) {
    $c = $challengeFn($token, $agentId);
    $a = RegisterAgent::answer($token, $agentId, $c['challenge']);
    $v = $verifyFn($token, $c['state'], $a['answer']);
    $key = RegisterAgent::finish($token, $a['state'], $v['challenge'], $v['crypto']);
    check($key === $v['key'] && strlen($key) === 16, "$side server: agent's finish() gives the server's key");
    check($v['agent_id'] === $agentId && $v['state_id'] === $c['state_id'], "$side server: agent id and state id");
    check(refused(fn () => $verifyFn($token, $c['state'], $c['challenge'])), "$side server refuses the reflected challenge");
    check(refused(fn () => $verifyFn($otherToken, $c['state'], $a['answer'])), "$side server refuses another token");
    $bad = substr($a['answer'], 0, 35) . ($a['answer'][35] === '0' ? '1' : '0');
    check(refused(fn () => $verifyFn($token, $c['state'], $bad)), "$side server refuses a wrong answer");
}
// Same state format on both sides: each verifies the other's state.
$c = RegisterServer::challenge($token, $agentId);
$a = RegisterAgent::answer($token, $agentId, $c['challenge']);
$v = php_verify($token, $c['state'], $a['answer']);
check(RegisterAgent::finish($token, $a['state'], $v['challenge'], $v['crypto']) === $v['key'], 'PHP verifies an extension state');
$c = php_challenge($token, $agentId);
$a = RegisterAgent::answer($token, $agentId, $c['challenge']);
$v = RegisterServer::verify($token, $c['state'], $a['answer']);
check(RegisterAgent::finish($token, $a['state'], $v['challenge'], $v['crypto']) === $v['key'], 'extension verifies a PHP state');

// Envelopes: the document's vector 1, then both directions each way, with a proxy's key.
$vKey = hex2bin('000102030405060708090a0b0c0d0e0f');
$vector = hex2bin('0101000000006553f100cafebabefacedbaddecaf888106170706c69636174696f6e2f6a736f6e'
    . 'f25ba6d5f19eee6f882aebeb3294d486e57f1a59270ad8216ba6b5e31ada80796d29489b');
$old = time() - 1700000000 + 60;
check(open_message($vector, $vKey, $agentId, null, 'agent-to-server', $old)['body'] === '{"action":"contact"}', 'extension opens vector 1');
check(php_open($vector, $vKey, $agentId, null, 'agent-to-server', $old)['body'] === '{"action":"contact"}', 'PHP opens vector 1');
$key = random_bytes(16);
$body = random_bytes(70000);
foreach (['agent-to-server', 'server-to-agent'] as $dir) {
    $e = seal_message($body, 'application/x-compress-zlib', $key, $agentId, $proxyId, $dir);
    $p = php_open($e, $key, $agentId, $proxyId, $dir);
    check($p['body'] === $body && $p['content_type'] === 'application/x-compress-zlib', "PHP opens an extension envelope ($dir)");
    $e = php_seal($body, 'application/x-compress-zlib', $key, $agentId, $proxyId, $dir);
    $x = open_message($e, $key, $agentId, $proxyId, $dir);
    check($x['body'] === $body && $x['message_id'] === bin2hex(substr($e, 10, 12)), "extension opens a PHP envelope ($dir)");
    check(refused(fn () => open_message($e, $key, $proxyId, $proxyId, $dir)), "extension refuses another agent id ($dir)");
    check(refused(fn () => php_open(seal_message($body, 'application/json', $key, $agentId, null, $dir), $key, $agentId, $proxyId, $dir)),
        "PHP refuses another cryptokey id ($dir)");
}

// ---------------------------------------------------------------------------------------
// Timing.

/**
 * Median seconds per call of $fn: each sample runs $fn $batch times (calls of a few
 * microseconds are below what one hrtime() pair measures well); samples are taken until
 * about $budget seconds have passed, at least 5 and at most 400. One warm-up sample.
 */
function median_per_call(callable $fn, float $budget, int $batch): float
{
    for ($i = 0; $i < $batch; $i++) {
        $fn();
    }
    $times = [];
    $start = hrtime(true);
    do {
        $t = hrtime(true);
        for ($i = 0; $i < $batch; $i++) {
            $fn();
        }
        $times[] = (hrtime(true) - $t) / 1e9 / $batch;
    } while ((count($times) < 5 || (hrtime(true) - $start) / 1e9 < $budget) && count($times) < 400);
    sort($times);
    return $times[intdiv(count($times), 2)];
}

function machine(): string
{
    preg_match('/^model name\s*:\s*(.+)$/m', (string) @file_get_contents('/proc/cpuinfo'), $m);
    // --all: under taskset plain nproc counts only the CPUs this process may use.
    $cores = trim((string) shell_exec('nproc --all 2>/dev/null')) ?: '?';
    $pin = trim((string) shell_exec('taskset -pc ' . getmypid() . ' 2>/dev/null'));
    $pin = preg_match('/: (.+)$/', $pin, $p) ? $p[1] : '?';
    return sprintf('%s cores (nproc --all), %s; this process on CPU %s', $cores, $m[1] ?? 'unknown CPU', $pin);
}

$budget = $quick ? 0.05 : 1.0;
$loadBefore = implode(' ', array_map(fn ($x) => sprintf('%.2f', $x), sys_getloadavg()));
fprintf(STDERR, "bench: cross-checks passed; PHP %s, %s\n", PHP_VERSION, OPENSSL_VERSION_TEXT);

// (1) REGISTER, server side. verify() is timed on one prepared state and answer: it does
// not consume the state (the caller deletes it from storage), so repeating it is the
// same work every time.
$reg = [];
$c = RegisterServer::challenge($token, $agentId);
$extAnswer = RegisterAgent::answer($token, $agentId, $c['challenge'])['answer'];
$extState = $c['state'];
$c = php_challenge($token, $agentId);
$phpAnswer = RegisterAgent::answer($token, $agentId, $c['challenge'])['answer'];
$phpState = $c['state'];
$reg['challenge()'] = [
    median_per_call(fn () => RegisterServer::challenge($token, $agentId), $budget, 200),
    median_per_call(fn () => php_challenge($token, $agentId), $budget, 200),
];
$reg['verify()'] = [
    median_per_call(fn () => RegisterServer::verify($token, $extState, $extAnswer), $budget, 200),
    median_per_call(fn () => php_verify($token, $phpState, $phpAnswer), $budget, 200),
];
$reg['handshake (sum)'] = [$reg['challenge()'][0] + $reg['verify()'][0], $reg['challenge()'][1] + $reg['verify()'][1]];

// (2) Envelopes.
$sizes = ['1 KiB' => 1 << 10, '64 KiB' => 64 << 10, '1 MiB' => 1 << 20];
$env = [];
$rawGcm = [];
foreach ($sizes as $label => $n) {
    $body = random_bytes($n);
    $batch = max(1, intdiv(1 << 20, $n) >> 3);
    // The cipher alone, without the envelope around it: what openssl's AES-GCM costs.
    $iv = random_bytes(12);
    $rawGcm[$label] = $n / median_per_call(
        fn () => openssl_encrypt($body, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, $iv, $tag, '', 16), $budget, $batch) / 1e6;
    $extEnv = seal_message($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent');
    $phpEnv = php_seal($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent');
    $env[] = [$label, $n, 'seal',
        median_per_call(fn () => seal_message($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent'), $budget, $batch),
        median_per_call(fn () => php_seal($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent'), $budget, $batch)];
    $env[] = [$label, $n, 'open',
        median_per_call(fn () => open_message($extEnv, $key, $agentId), $budget, $batch),
        median_per_call(fn () => php_open($phpEnv, $key, $agentId), $budget, $batch)];
    if ($n === 1 << 20) {
        $faults = fn (callable $fn) => (function () use ($fn) {
            $before = getrusage()['ru_minflt'];
            for ($i = 0; $i < 20; $i++) {
                $fn();
            }
            return (getrusage()['ru_minflt'] - $before) / 20;
        })();
        $pageFaults = [
            'extension seal' => $faults(fn () => seal_message($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent')),
            'PHP seal' => $faults(fn () => php_seal($body, 'application/x-compress-zlib', $key, $agentId, null, 'server-to-agent')),
            'extension open' => $faults(fn () => open_message($extEnv, $key, $agentId)),
            'PHP open' => $faults(fn () => php_open($phpEnv, $key, $agentId)),
        ];
    }
    fprintf(STDERR, "  envelopes %s done\n", $label);
}

// (3) Server path for an encrypted, zlib-compressed inventory of about 1 MB: the
// sample inventory with its software list repeated.
$doc = json_decode((string) file_get_contents($root . '/samples/inventory.json'), true, 512, JSON_THROW_ON_ERROR);
$soft = $doc['content']['softwares'];
for ($i = 0; strlen(json_encode($doc)) < 1_000_000; $i++) {
    $s = $soft[$i % count($soft)];
    $s['name'] .= ' #' . $i;
    $doc['content']['softwares'][] = $s;
}
$json = json_encode($doc, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
$zlib = gzcompress($json);
$sealed = php_seal($zlib, 'application/x-compress-zlib', $key, $agentId);
$headers = ['Content-Type' => 'application/x-glpi-encrypted', 'GLPI-Agent-ID' => $agentId, 'GLPI-CryptoKey-ID' => $agentId];
$options = ['key' => $key];
check(Request::decode($sealed, $headers, $options)->content() == json_decode($json), 'Request::decode() of a PHP envelope equals json_decode');
$server = [
    median_per_call(fn () => Request::decode($sealed, $headers, $options)->content(), $budget * 2, 1),
    median_per_call(function () use ($sealed, $key, $agentId) {
        $o = php_open($sealed, $key, $agentId, null, 'agent-to-server');
        return json_decode(gzuncompress($o['body']));
    }, $budget * 2, 1),
];
$loadAfter = implode(' ', array_map(fn ($x) => sprintf('%.2f', $x), sys_getloadavg()));

// ---------------------------------------------------------------------------------------
// Report.

$us = fn (float $s) => sprintf('%.2f', $s * 1e6);
$ops = fn (float $s) => number_format(1 / $s, 0, '.', ' ');
$mbs = fn (int $n, float $s) => sprintf('%.0f', $n / $s / 1e6);

$out = [];
$out[] = '# REGISTER handshake and encrypted envelopes: extension against plain PHP';
$out[] = '';
$out[] = sprintf('Generated by `taskset -c 1 php -d extension=.../libglpi_agent_protocol.so bench/register.php` on %s.', date('Y-m-d'));
$out[] = sprintf('PHP %s, %s, %s; one process; %s.', PHP_VERSION, OPENSSL_VERSION_TEXT, php_uname('m'), machine());
$out[] = sprintf('Load average before and after: %s / %s (other programs share the cores).', $loadBefore, $loadAfter);
$out[] = 'Every figure is a median over samples of ~1 s per case; the PHP side was first checked against the';
$out[] = "extension's other side (the agent accepts the PHP server's challenges, final challenges and keys;";
$out[] = 'each side verifies the other\'s states and opens the other\'s envelopes; both refuse a wrong answer,';
$out[] = 'a reflected challenge, another token, another agent or key id).';
$out[] = '';
$out[] = '## REGISTER, server side (spec 6.2.1 and 6.2.3)';
$out[] = '';
$out[] = '- extension: `RegisterServer::challenge($token, $agentId)` and `RegisterServer::verify($token, $state, $answer)`.';
$out[] = '- PHP: challenge = parse the UUIDs, `random_bytes(8)` server secret, one `openssl_encrypt(\'aes-128-ecb\',';
$out[] = '  OPENSSL_RAW_DATA|OPENSSL_ZERO_PADDING)` block, and a state sealed as the extension seals it:';
$out[] = '  `hash_hkdf(\'sha256\')` key from the token and a `random_bytes(16)` salt, `openssl_encrypt(\'aes-128-gcm\')`';
$out[] = '  of secret + agent id + time, base64url. verify = open that state (HKDF, GCM), check its age, decrypt the';
$out[] = '  answer block, `hash_equals` on the server secret (and against the reflected challenge), encrypt the final';
$out[] = '  challenge, `random_bytes(16)` session key, encrypt the crypto block, format UUIDs.';
$out[] = '- The agent\'s answer is made with `RegisterAgent::answer()` outside the timed region; verify() is timed';
$out[] = '  repeatedly on one state (storing and deleting the state is the caller\'s, not timed on either side).';
$out[] = '';
$out[] = '| step | extension µs | PHP µs | extension ops/s | PHP ops/s | extension / PHP |';
$out[] = '|---|---:|---:|---:|---:|---:|';
foreach ($reg as $step => [$x, $p]) {
    $out[] = sprintf('| %s | %s | %s | %s | %s | %.2fx |', $step, $us($x), $us($p), $ops($x), $ops($p), $p / $x);
}
$out[] = '';
$out[] = '## Encrypted envelopes (docs/encrypted-exchanges.md), AES-128-GCM';
$out[] = '';
$out[] = '- extension: `seal_message($body, $type, $key, $agentId, null, \'server-to-agent\')` and `open_message()`';
$out[] = '  (layout, binding, tag and freshness checks; returns body, type, message id, timestamp).';
$out[] = '- PHP: the same envelope with `random_bytes(12)` nonce, `pack()` header and `openssl_encrypt(\'aes-128-gcm\')`';
$out[] = '  with AAD = header + 16-byte agent id + 16-byte cryptokey id; opening checks the layout, `ctype_print` on';
$out[] = '  the type, `openssl_decrypt` with the tag, then freshness, and returns the same array.';
$out[] = '- Body: random bytes. MB/s is 10^6 bytes of body per second.';
$out[] = '';
$out[] = '| body | operation | extension µs | PHP µs | extension MB/s | PHP MB/s | extension / PHP |';
$out[] = '|---|---|---:|---:|---:|---:|---:|';
foreach ($env as [$label, $n, $op, $x, $p]) {
    $out[] = sprintf('| %s | %s | %s | %s | %s | %s | %.2fx |', $label, $op, $us($x), $us($p), $mbs($n, $x), $mbs($n, $p), $p / $x);
}
$out[] = '';
$out[] = 'For reference, `openssl_encrypt(\'aes-128-gcm\')` alone on the body (no nonce, header, AAD or copies): '
    . implode(', ', array_map(fn ($l, $r) => sprintf('%s %.0f MB/s', $l, $r), array_keys($rawGcm), $rawGcm)) . '.';
$out[] = 'Minor page faults per 1 MiB call (getrusage): '
    . implode(', ', array_map(fn ($l, $r) => sprintf('%s %.0f', $l, $r), array_keys($pageFaults), $pageFaults))
    . '. The PHP side copies each 1 MiB string once more (header . ciphertext . tag; substr of the ciphertext)';
$out[] = "and PHP's allocator maps fresh memory for those strings: most of its 1 MiB time, next to the cipher alone above.";
$out[] = '';
$out[] = '## Server path: an encrypted, zlib-compressed inventory';
$out[] = '';
$out[] = sprintf('Body: %d bytes of JSON (the sample inventory with its software list repeated), %d bytes zlib,', strlen($json), strlen($zlib));
$out[] = sprintf('%d bytes sealed. Extension: `Request::decode($body, $headers, [\'key\' => $key])->content()`;', strlen($sealed));
$out[] = 'PHP: the envelope opened as above, then `json_decode(gzuncompress())` to objects.';
$out[] = '';
$out[] = '| path | extension ms | PHP ms | extension / PHP |';
$out[] = '|---|---:|---:|---:|';
$out[] = sprintf('| open + decompress + decode | %.3f | %.3f | %.2fx |', $server[0] * 1e3, $server[1] * 1e3, $server[1] / $server[0]);

$text = implode("\n", $out) . "\n";
echo $text;
if (!$quick) {
    @mkdir(__DIR__ . '/results');
    file_put_contents(__DIR__ . '/results/register.md', $text);
}
