<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\CertificateAuthority;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\certificate_fingerprint;
use function GlpiAgentProtocol\check_csr;
use function GlpiAgentProtocol\verify_client_certificate;

/**
 * Client certificates: the CA, issuance from requests that PHP's openssl makes, and the
 * verification of certificates as web servers pass them on, with PHP's openssl
 * (openssl_x509_verify, openssl_x509_parse, openssl_x509_fingerprint) as the judge of
 * what the extension issues, and a CA made by PHP's openssl as a foreign issuer.
 */
final class X509Test extends TestCase
{
    use ProtocolAssertions;

    private const AGENT = '3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27';
    private const OTHER = '8b5b2f1e-0c3a-4e4f-9a6d-2b7c1d0e9f10';

    /** @return array{0: string, 1: \OpenSSLAsymmetricKey} a CSR (PEM) and its key */
    private static function csr(array $keyOptions, array $dn = ['commonName' => 'admin', 'organizationName' => 'Evil Corp'], string $digest = 'sha256'): array
    {
        $key = openssl_pkey_new($keyOptions);
        self::assertNotFalse($key);
        $csr = openssl_csr_new($dn, $key, ['digest_alg' => $digest]);
        self::assertNotFalse($csr);
        openssl_csr_export($csr, $pem);
        return [$pem, $key];
    }

    private static function rsa(int $bits): array
    {
        return ['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => $bits];
    }

    private static function ec(string $curve): array
    {
        return ['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => $curve];
    }

    public function testIssuedCertificatesSatisfyPhpsOpenssl(): void
    {
        foreach (['ecdsa-p256', 'ecdsa-p384', 'ed25519'] as $caAlgorithm) {
            $ca = CertificateAuthority::create('Agents CA', 30, $caAlgorithm);
            $this->assertSame(['certificate', 'key', 'serial', 'not_after', 'fingerprint'], array_keys($ca));
            $caParsed = openssl_x509_parse($ca['certificate']);
            $this->assertSame('Agents CA', $caParsed['subject']['CN']);
            // rcgen writes basicConstraints without the critical flag RFC 5280 asks of CAs;
            // openssl and nginx accept the CA all the same.
            $this->assertSame('CA:TRUE, pathlen:0', $caParsed['extensions']['basicConstraints']);
            $this->assertSame('sha256$' . openssl_x509_fingerprint($ca['certificate'], 'sha256'), $ca['fingerprint']);
            foreach ([[self::rsa(2048), 'rsa-2048'], [self::ec('prime256v1'), 'ecdsa-p256'], [self::ec('secp384r1'), 'ecdsa-p384']] as [$keyOptions, $keyType]) {
                [$csr, $key] = self::csr($keyOptions);
                $checked = check_csr($csr);
                $this->assertSame($keyType, $checked['key_type']);
                // PHP's openssl adds its configuration's default C and ST.
                $this->assertStringStartsWith('CN=admin, O=Evil Corp', $checked['requested_subject']);
                $issued = CertificateAuthority::issue($ca['certificate'], $ca['key'], $csr, strtoupper(self::AGENT), 7 * 86400);
                $this->assertSame(self::AGENT, $issued['agent_id']);
                $this->assertSame($keyType, $issued['key_type']);
                $this->assertSame(7 * 86400, $issued['not_after'] - $issued['not_before']);
                $cert = $issued['certificate'];

                $this->assertSame(1, openssl_x509_verify($cert, openssl_pkey_get_public($ca['certificate'])), "$caAlgorithm/$keyType");
                $this->assertTrue(openssl_x509_check_private_key($cert, $key), 'the certificate holds the request key');
                $p = openssl_x509_parse($cert);
                $this->assertSame(['CN' => self::AGENT], $p['subject']);
                $this->assertSame('URI:urn:uuid:' . self::AGENT, $p['extensions']['subjectAltName']);
                $this->assertSame('TLS Web Client Authentication', $p['extensions']['extendedKeyUsage']);
                $this->assertSame('CA:FALSE', $p['extensions']['basicConstraints']);
                $this->assertSame(self::evenHex($p['serialNumberHex']), $issued['serial']);
                $this->assertSame($issued['not_after'], $p['validTo_time_t']);
                $this->assertSame('sha256$' . openssl_x509_fingerprint($cert, 'sha256'), $issued['fingerprint']);

                $id = verify_client_certificate($cert, $ca['certificate'], ['agent_id' => self::AGENT]);
                $this->assertSame(self::AGENT, $id['agent_id']);
                $this->assertSame($issued['serial'], $id['serial']);
                $this->assertSame($issued['fingerprint'], $id['fingerprint']);
                $this->assertSame('CN=' . self::AGENT, $id['subject']);
            }
        }
    }

    private static function evenHex(string $hex): string
    {
        $hex = strtolower(ltrim($hex, '0'));
        return strlen($hex) % 2 === 1 ? "0$hex" : $hex;
    }

    public function testBadRequestsAreRefused(): void
    {
        $ca = CertificateAuthority::create('Agents CA');
        $issue = fn (string $csr) => CertificateAuthority::issue($ca['certificate'], $ca['key'], $csr, self::AGENT, 86400);
        [$weak] = self::csr(self::rsa(1024));
        $this->assertProtocolError(400, 'csr key refused', fn () => $issue($weak));
        [$k1] = self::csr(self::ec('secp256k1'));
        $this->assertProtocolError(400, 'csr key refused', fn () => $issue($k1));
        [$sha1] = self::csr(self::rsa(2048), ['commonName' => 'x'], 'sha1');
        $this->assertProtocolError(400, 'csr signature invalid', fn () => check_csr($sha1));

        [$good] = self::csr(self::ec('prime256v1'));
        $der = base64_decode(preg_replace('/-----[^-]+-----|\s/', '', $good));
        $der[strlen($der) - 1] = chr(ord($der[strlen($der) - 1]) ^ 1);
        $this->assertProtocolError(400, 'csr signature invalid', fn () => $issue($der));
        $this->assertProtocolError(400, 'bad csr', fn () => $issue('not a request'));
        $this->assertProtocolError(400, 'bad csr', fn () => $issue($ca['certificate']));
        $this->assertProtocolError(400, 'bad csr', fn () => check_csr($good, 100));

        // The operator's mistakes are \ValueError.
        $other = CertificateAuthority::create('Other CA');
        $this->assertValueError(fn () => CertificateAuthority::issue($ca['certificate'], $other['key'], $good, self::AGENT, 86400));
        $this->assertValueError(fn () => CertificateAuthority::issue($ca['certificate'], $ca['key'], $good, 'pc-42', 86400));
        $this->assertValueError(fn () => CertificateAuthority::issue($ca['certificate'], $ca['key'], $good, self::AGENT, 0));
        $this->assertValueError(fn () => CertificateAuthority::create('CA', 10, 'rsa'));
        $e = $this->assertValueError(fn () => CertificateAuthority::issue($ca['certificate'], substr($ca['key'], 0, 120) . "\n-----END PRIVATE KEY-----\n", $good, self::AGENT, 60));
        $this->assertStringNotContainsString(substr(explode("\n", $ca['key'])[1], 0, 16), $e->getMessage() . $e->getTraceAsString());
    }

    public function testVerificationAsWebServersPassCertificates(): void
    {
        $ca = CertificateAuthority::create('Agents CA');
        [$csr] = self::csr(self::ec('prime256v1'));
        $issued = CertificateAuthority::issue($ca['certificate'], $ca['key'], $csr, self::AGENT, 3600);
        $pem = $issued['certificate'];
        // nginx's $ssl_client_escaped_cert, Apache's SSL_CLIENT_CERT, a header with spaces.
        foreach ([$pem, rawurlencode($pem), str_replace("\n", ' ', $pem)] as $form) {
            $this->assertSame(self::AGENT, verify_client_certificate($form, $ca['certificate'])['agent_id']);
        }
        $this->assertProtocolError(403, 'certificate required', fn () => verify_client_certificate('', $ca['certificate']));
        $this->assertProtocolError(400, 'bad certificate', fn () => verify_client_certificate('%zz', $ca['certificate']));
        $this->assertProtocolError(403, 'certificate expired', fn () => verify_client_certificate($pem, $ca['certificate'], ['time' => $issued['not_after'] + 1]));
        $this->assertProtocolError(403, 'certificate not yet valid', fn () => verify_client_certificate($pem, $ca['certificate'], ['time' => $issued['not_before'] - 1]));
        $e = $this->assertProtocolError(403, 'certificate revoked', fn () => verify_client_certificate($pem, $ca['certificate'], ['revoked' => ['01', strtoupper($issued['serial'])]]));
        $this->assertSame('1h', $e->getAnswer()['expiration']);
        $this->assertProtocolError(403, 'certificate agent mismatch', fn () => verify_client_certificate($pem, $ca['certificate'], ['agent_id' => self::OTHER]));
        $other = CertificateAuthority::create('Agents CA');
        $this->assertProtocolError(403, 'unknown certificate authority', fn () => verify_client_certificate($pem, $other['certificate']));
        $this->assertProtocolError(403, 'certificate not for clients', fn () => verify_client_certificate($ca['certificate'], $ca['certificate']));
        $this->assertValueError(fn () => verify_client_certificate($pem, $ca['certificate'], ['revokd' => []]));
        $this->assertValueError(fn () => verify_client_certificate($pem, 'not a CA'));
        $this->assertValueError(fn () => verify_client_certificate($pem, $pem), 'a leaf is no CA');
    }

    public function testForeignCaWithItsmStyleRestrictions(): void
    {
        // An operator's CA and a client certificate made entirely by PHP's openssl.
        $caKey = openssl_pkey_new(self::ec('prime256v1'));
        $caCsr = openssl_csr_new(['commonName' => 'Operator CA'], $caKey, ['digest_alg' => 'sha256']);
        $caCert = openssl_csr_sign($caCsr, null, $caKey, 2, ['digest_alg' => 'sha256', 'x509_extensions' => 'v3_ca'], 1);
        openssl_x509_export($caCert, $caPem);
        $key = openssl_pkey_new(self::ec('prime256v1'));
        $dn = ['organizationName' => 'Company', 'organizationalUnitName' => 'IT', 'commonName' => self::AGENT, 'emailAddress' => 'it@example.org'];
        $cert = openssl_csr_sign(openssl_csr_new($dn, $key, ['digest_alg' => 'sha256']), $caPem, $caKey, 1, ['digest_alg' => 'sha256', 'x509_extensions' => 'usr_cert'], 77);
        openssl_x509_export($cert, $pem);

        $id = verify_client_certificate($pem, $caPem, ['restrict' => ['o' => 'Company', 'ou' => 'Ops$IT', 'email' => ['it@example.org']]]);
        $this->assertSame([self::AGENT, 'IT', 'Company', 'it@example.org', '4d'], [$id['agent_id'], $id['ou'], $id['o'], $id['email'], $id['serial']]);
        $this->assertSame('sha256$' . openssl_x509_fingerprint($pem, 'sha256'), $id['fingerprint']);
        foreach ([['ou' => 'Ops'], ['o' => ['Other']], ['cn' => 'pc-1'], ['email' => 'root@example.org']] as $restrict) {
            $this->assertProtocolError(403, 'certificate subject refused', fn () => verify_client_certificate($pem, $caPem, ['restrict' => $restrict]), json_encode($restrict));
        }
        $this->assertValueError(fn () => verify_client_certificate($pem, $caPem, ['restrict' => ['c' => 'FR']]));
    }

    public function testFingerprintInGlpiAgentForm(): void
    {
        $ca = CertificateAuthority::create('Server');
        foreach (['sha256', 'sha1', 'sha512'] as $alg) {
            $this->assertSame("$alg\$" . openssl_x509_fingerprint($ca['certificate'], $alg), certificate_fingerprint($ca['certificate'], $alg));
        }
        $this->assertSame(certificate_fingerprint($ca['certificate']), $ca['fingerprint']);
        $this->assertProtocolError(400, 'bad certificate', fn () => certificate_fingerprint('-----BEGIN CERTIFICATE-----'));
        $this->assertValueError(fn () => certificate_fingerprint($ca['certificate'], 'md5'));
    }

    public function testCertificateSizeLimitHasADirective(): void
    {
        $this->assertSame('16384', ini_get('glpi_agent_protocol.max_certificate_bytes'));
        $ca = CertificateAuthority::create('Agents CA');
        [$csr] = self::csr(self::ec('prime256v1'));
        $pem = CertificateAuthority::issue($ca['certificate'], $ca['key'], $csr, self::AGENT, 60)['certificate'];
        $this->assertProtocolError(400, 'bad certificate', fn () => verify_client_certificate($pem, $ca['certificate'], ['max_certificate_bytes' => 100]));
        $old = ini_set('glpi_agent_protocol.max_certificate_bytes', '100');
        try {
            $this->assertProtocolError(400, 'bad csr', fn () => check_csr($csr));
        } finally {
            ini_set('glpi_agent_protocol.max_certificate_bytes', $old);
        }
        $this->assertFalse(ini_set('glpi_agent_protocol.max_certificate_bytes', '0'));
    }
}
