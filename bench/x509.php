<?php
// Client certificate verification per request, in one PHP process: the extension's
// verify_client_certificate() against the same checks written with PHP's openssl
// (rawurldecode, openssl_x509_verify, openssl_x509_parse, openssl_x509_fingerprint): the CA's
// signature, the validity period, a list of 10 revoked serials, clientAuth, CN = the
// request's agent id, and the fingerprint. Two CAs: ECDSA P-256 (made by the extension)
// and RSA 2048 (made by PHP's openssl). Before timing, both sides must accept the good
// certificate and refuse a revoked one and one of another CA; any disagreement aborts.
// Prints a Markdown table (medians) and writes it to bench/results/x509.md unless --quick.
//
//   taskset -c 1 php -d extension=target/release/libglpi_agent_protocol.so bench/x509.php [--quick]

declare(strict_types=1);

use GlpiAgentProtocol\CertificateAuthority;
use GlpiAgentProtocol\ProtocolException;

use function GlpiAgentProtocol\verify_client_certificate;

if (!class_exists(CertificateAuthority::class)) {
    fwrite(STDERR, "load the extension: php -d extension=.../libglpi_agent_protocol.so bench/x509.php\n");
    exit(1);
}
$quick = in_array('--quick', $argv, true);
const AGENT = '3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27';

/**
 * The PHP side: what an endpoint written with ext/openssl does with $_SERVER['SSL_CLIENT_CERT'].
 * @param list<string> $revoked lower-case hex serials
 * @return array{agent_id: string, serial: string, not_after: int, fingerprint: string}
 */
function php_verify(string $escaped, string|OpenSSLAsymmetricKey $caPem, string $agentId, array $revoked): array
{
    $pem = rawurldecode($escaped);
    if (openssl_x509_verify($pem, $caPem) !== 1) {
        throw new RuntimeException('unknown certificate authority');
    }
    $p = openssl_x509_parse($pem, false);
    if ($p === false) {
        throw new RuntimeException('bad certificate');
    }
    $now = time();
    if ($now < $p['validFrom_time_t'] || $now > $p['validTo_time_t']) {
        throw new RuntimeException('certificate expired');
    }
    $serial = strtolower(ltrim($p['serialNumberHex'], '0'));
    $serial = strlen($serial) % 2 ? "0$serial" : $serial;
    if (in_array($serial, $revoked, true)) {
        throw new RuntimeException('certificate revoked');
    }
    $eku = $p['extensions']['extendedKeyUsage'] ?? null;
    if ($eku !== null && !str_contains($eku, 'TLS Web Client Authentication')) {
        throw new RuntimeException('certificate not for clients');
    }
    $cn = strtolower($p['subject']['commonName'] ?? '');
    if ($cn !== $agentId) {
        throw new RuntimeException('certificate agent mismatch');
    }
    return ['agent_id' => $cn, 'serial' => $serial, 'not_after' => $p['validTo_time_t'], 'fingerprint' => 'sha256$' . openssl_x509_fingerprint($pem, 'sha256')];
}

function csr(): string
{
    $key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
    openssl_csr_export(openssl_csr_new(['commonName' => 'x'], $key, ['digest_alg' => 'sha256']), $pem);
    return $pem;
}

/** @return array{ca: string, good: string, revoked: string, revoked_serial: string} */
function ecdsa_case(): array
{
    $ca = CertificateAuthority::create('Bench agents CA');
    $good = CertificateAuthority::issue($ca['certificate'], $ca['key'], csr(), AGENT, 86400);
    $bad = CertificateAuthority::issue($ca['certificate'], $ca['key'], csr(), AGENT, 86400);
    return ['ca' => $ca['certificate'], 'good' => $good['certificate'], 'revoked' => $bad['certificate'], 'revoked_serial' => $bad['serial']];
}

function rsa_case(): array
{
    $caKey = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 2048]);
    $ca = openssl_csr_sign(openssl_csr_new(['commonName' => 'Bench RSA CA'], $caKey, ['digest_alg' => 'sha256']), null, $caKey, 2, ['digest_alg' => 'sha256', 'x509_extensions' => 'v3_ca'], 1);
    openssl_x509_export($ca, $caPem);
    $make = function (int $serial) use ($caPem, $caKey): string {
        $key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
        $cert = openssl_csr_sign(openssl_csr_new(['commonName' => AGENT], $key, ['digest_alg' => 'sha256']), $caPem, $caKey, 1, ['digest_alg' => 'sha256', 'x509_extensions' => 'usr_cert'], $serial);
        openssl_x509_export($cert, $pem);
        return $pem;
    };
    return ['ca' => $caPem, 'good' => $make(0x1234567), 'revoked' => $make(0x7654321), 'revoked_serial' => '07654321'];
}

function median(array $xs): float
{
    sort($xs);
    return $xs[intdiv(count($xs), 2)];
}

$rounds = $quick ? 3 : 9;
$perRound = $quick ? 300 : 2000;
$rows = [];
foreach (['ECDSA P-256 CA (extension-made)' => ecdsa_case(), 'RSA 2048 CA (openssl-made)' => rsa_case()] as $name => $case) {
    $revoked = [$case['revoked_serial']];
    for ($i = 1; count($revoked) < 10; $i++) {
        $revoked[] = bin2hex(random_bytes(16));
    }
    $escaped = rawurlencode($case['good']);
    $otherCa = CertificateAuthority::create('Bench agents CA')['certificate'];
    // Both sides agree before anything is timed.
    $ext = verify_client_certificate($escaped, $case['ca'], ['agent_id' => AGENT, 'revoked' => $revoked]);
    $php = php_verify($escaped, $case['ca'], AGENT, $revoked);
    foreach (['agent_id', 'serial', 'not_after', 'fingerprint'] as $k) {
        if ($ext[$k] !== $php[$k]) {
            fwrite(STDERR, "x509: $name: $k differs: {$ext[$k]} / {$php[$k]}\n");
            exit(1);
        }
    }
    foreach ([[rawurlencode($case['revoked']), $case['ca']], [$escaped, $otherCa]] as [$cert, $ca]) {
        $extRefused = $phpRefused = false;
        try {
            verify_client_certificate($cert, $ca, ['agent_id' => AGENT, 'revoked' => $revoked]);
        } catch (ProtocolException) {
            $extRefused = true;
        }
        try {
            php_verify($cert, $ca, AGENT, $revoked);
        } catch (RuntimeException) {
            $phpRefused = true;
        }
        if (!$extRefused || !$phpRefused) {
            fwrite(STDERR, "x509: $name: a certificate to refuse was accepted\n");
            exit(1);
        }
    }
    $extTimes = $phpTimes = $phpKeyTimes = [];
    // What a long-lived PHP process could do: read the CA's key once.
    $caKey = openssl_pkey_get_public($case['ca']);
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        for ($i = 0; $i < $perRound; $i++) {
            verify_client_certificate($escaped, $case['ca'], ['agent_id' => AGENT, 'revoked' => $revoked]);
        }
        $extTimes[] = (hrtime(true) - $t) / $perRound / 1000;
        $t = hrtime(true);
        for ($i = 0; $i < $perRound; $i++) {
            php_verify($escaped, $case['ca'], AGENT, $revoked);
        }
        $phpTimes[] = (hrtime(true) - $t) / $perRound / 1000;
        $t = hrtime(true);
        for ($i = 0; $i < $perRound; $i++) {
            php_verify($escaped, $caKey, AGENT, $revoked);
        }
        $phpKeyTimes[] = (hrtime(true) - $t) / $perRound / 1000;
    }
    $e = median($extTimes);
    $p = median($phpTimes);
    $k = median($phpKeyTimes);
    $rows[] = sprintf('| %s | %.1f µs (%.1f k/s) | %.1f µs (%.1f k/s) | %.2fx | %.1f µs | %.2fx |', $name, $e, 1000 / $e, $p, 1000 / $p, $p / $e, $k, $k / $e);
}

$out = "| client certificate, URL-escaped as nginx passes it | `verify_client_certificate()` | `openssl_x509_verify()` + `openssl_x509_parse()` + fingerprint | ratio | PHP, CA key read once | ratio |\n|---|---:|---:|---:|---:|---:|\n" . implode("\n", $rows) . "\n";
echo $out;
if (!$quick) {
    $header = "# Client certificate verification per request\n\n`taskset -c 1 php -d extension=target/release/libglpi_agent_protocol.so bench/x509.php`, "
        . gmdate('Y-m-d') . ", PHP " . PHP_VERSION . ', ' . OPENSSL_VERSION_TEXT . ", median of $rounds rounds of $perRound calls each,\n"
        . "on a 2-core machine shared with other work (the ratio, measured in one process, is what counts).\n"
        . "Both sides do the same checks (CA signature, validity, 10 revoked serials, clientAuth, CN = agent id, SHA-256 fingerprint)\n"
        . "and were checked to agree (accepting the good certificate, refusing a revoked one and one of another CA) before timing.\n"
        . "Ratio = PHP time / extension time.\n\n";
    file_put_contents(dirname(__DIR__) . '/bench/results/x509.md', $header . $out);
}
