<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\CertificateAuthority;
use GlpiAgentProtocol\RegisterAgent;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * Client certificates over HTTP (docs/endpoint.md#client-certificates): enrollment through
 * REGISTER (a csr in, a certificate out), then the certificate the front end passes on,
 * each refusal with its status, token and the store before and after. PHP's built-in
 * server has no TLS: the certificate travels in a header, as behind a TLS-terminating
 * proxy, named by client_certificate_variable. Real TLS: scripts/test-tls.sh.
 */
final class EndpointCertificateTest extends EndpointTestCase
{
    private const CERT_HEADER = 'X-Client-Certificate';

    private static ?string $dir = null;
    private static ?EndpointServer $required = null;

    /** @return array<string, string> */
    private static function certificateEnv(string $mode): array
    {
        self::$dir ??= sys_get_temp_dir() . '/gap-cert-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        return [
            'GAP_CLIENT_CERTIFICATES' => $mode,
            'GAP_CA_DIR' => self::$dir . '/ca',
            'GAP_CLIENT_CERTIFICATE_VARIABLE' => 'HTTP_X_CLIENT_CERTIFICATE',
            'GAP_REGISTER' => 'token',
            'GAP_REQUIRE_ENCRYPTION' => '0',
            'GAP_KEK_FILE' => self::$dir . '/kek.bin',
            'GAP_CERTIFICATE_LIFETIME' => '30d',
        ];
    }

    protected static function serverEnv(): array
    {
        return self::certificateEnv('optional');
    }

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        [$code, , $err] = self::runTool('admin.php', self::storeSettings() + self::certificateEnv('optional'), 'ca', 'create', '--days', '2');
        if ($code !== 0) {
            throw new \RuntimeException("ca create failed: $err");
        }
    }

    public static function tearDownAfterClass(): void
    {
        self::$required?->stop();
        self::$required = null;
        parent::tearDownAfterClass();
        if (self::$dir !== null) {
            self::removeDirectory(self::$dir . '/ca');
            self::removeDirectory(self::$dir);
        }
        self::$dir = null;
    }

    /** @return array{0: int, 1: string, 2: string} */
    private static function admin(string ...$args): array
    {
        return self::runTool('admin.php', self::storeSettings() + self::certificateEnv('optional'), ...$args);
    }

    private function token(): string
    {
        [$code, $out, $err] = self::admin('token', 'create');
        $this->assertSame(0, $code, $err);
        preg_match('/^token \d+: ([0-9a-f-]{36})$/m', $out, $m);
        return $m[1];
    }

    private static function csr(): string
    {
        $key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
        openssl_csr_export(openssl_csr_new(['commonName' => 'admin'], $key, ['digest_alg' => 'sha256']), $pem);
        return $pem;
    }

    private static function caCertificate(): string
    {
        return (string) file_get_contents(self::$dir . '/ca/ca.crt');
    }

    /** @param array<string, mixed> $message */
    private function send(array $message, string $agentId = self::AGENT_ID, ?string $certificate = null, ?EndpointServer $server = null): HttpAnswer
    {
        $headers = ['Content-Type' => 'application/json', 'User-Agent' => 'GLPI-Agent_v1.12', 'GLPI-Agent-ID' => $agentId, 'Pragma' => 'no-cache'];
        if ($certificate !== null) {
            // As nginx's $ssl_client_escaped_cert: URL-escaped, on one line.
            $headers[self::CERT_HEADER] = rawurlencode($certificate);
        }
        return ($server ?? self::$server)->request('POST', $headers, self::jsonMessage($message));
    }

    /** REGISTER with a csr; returns the registered answer. */
    private function enroll(string $token, string $csr, string $agentId = self::AGENT_ID): array
    {
        $first = $this->send(['action' => 'register', 'deviceid' => 'pc-1', 'port' => 0, 'name' => 'GLPI-Agent', 'version' => '1.12', 'csr' => $csr], $agentId);
        $this->assertSame(200, $first->status, $first->plain());
        $mine = RegisterAgent::answer($token, $agentId, $first->json()['challenge']);
        $done = $this->send(['action' => 'register', 'challenge' => $mine['answer']], $agentId);
        $this->assertSame(200, $done->status, $done->plain());
        $json = $done->json();
        $this->assertSame('registered', $json['status']);
        RegisterAgent::finish($token, $mine['state'], $json['challenge'], null);
        return $json;
    }

    private static function contact(): array
    {
        return ['action' => 'contact', 'deviceid' => 'pc-1', 'name' => 'GLPI-Agent', 'version' => '1.12', 'installed-tasks' => ['inventory']];
    }

    public function testEnrollmentIssuesACertificateThatThenAdmitsTheAgent(): void
    {
        $token = $this->token();
        $answer = $this->enroll($token, self::csr());
        $certificate = $answer['certificate'];
        $this->assertSame(1, openssl_x509_verify($certificate, openssl_pkey_get_public(self::caCertificate())));
        $parsed = openssl_x509_parse($certificate);
        $this->assertSame(['CN' => self::AGENT_ID], $parsed['subject']);
        $this->assertSame('TLS Web Client Authentication', $parsed['extensions']['extendedKeyUsage']);
        $this->assertEqualsWithDelta(time() + 30 * 86400, $parsed['validTo_time_t'], 120);

        $rows = $this->store->snapshot()['client_certificates'];
        $this->assertCount(1, $rows);
        $serial = $rows[0]['serial'];
        $this->assertSame(['register', self::AGENT_ID], [$rows[0]['source'], $rows[0]['agent_uuid']]);
        $this->assertSame([], $this->store->snapshot()['register_challenges'], 'the request is not kept once answered');
        $agent = $this->store->snapshot()['agents'][0];
        $this->assertSame($serial, $agent['cert_serial']);

        $ok = $this->send(self::contact(), self::AGENT_ID, $certificate);
        $this->assertSame(200, $ok->status, $ok->plain());

        // Renewal: a new certificate, the old one still on record.
        $renewed = $this->enroll($token, self::csr());
        $this->assertNotSame($certificate, $renewed['certificate']);
        $this->assertCount(2, $this->store->snapshot()['client_certificates']);
        $this->assertNotSame($serial, $this->store->snapshot()['agents'][0]['cert_serial']);
    }

    public function testRefusedCertificatesChangeNothing(): void
    {
        $token = $this->token();
        $certificate = $this->enroll($token, self::csr())['certificate'];
        $this->enroll($token, self::csr(), self::OTHER_ID);
        $before = $this->store->snapshot();

        $this->assertRefused($this->send(self::contact(), self::OTHER_ID, $certificate), 403, 'certificate agent mismatch', $before);
        $this->assertRefused($this->send(self::contact(), self::AGENT_ID, 'garbage'), 400, 'bad certificate', $before);

        $other = CertificateAuthority::create('GLPI agents CA');
        $foreign = CertificateAuthority::issue($other['certificate'], $other['key'], self::csr(), self::AGENT_ID, 3600)['certificate'];
        $this->assertRefused($this->send(self::contact(), self::AGENT_ID, $foreign), 403, 'unknown certificate authority', $before);

        $key = (string) file_get_contents(self::$dir . '/ca/ca.key');
        $expired = CertificateAuthority::issue(self::caCertificate(), $key, self::csr(), self::AGENT_ID, 60, time() - 3600)['certificate'];
        $this->assertRefused($this->send(self::contact(), self::AGENT_ID, $expired), 403, 'certificate expired', $before);

        $serial = openssl_x509_parse($certificate)['serialNumberHex'];
        [$code, , $err] = self::admin('cert', 'revoke', $serial);
        $this->assertSame(0, $code, $err);
        $before = $this->store->snapshot();
        $this->assertNotNull($before['client_certificates'][0]['revoked_at']);
        $answer = $this->send(self::contact(), self::AGENT_ID, $certificate);
        $this->assertRefused($answer, 403, 'certificate revoked', $before);
        $this->assertSame('1h', $answer->json()['expiration']);
        // Without a certificate, optional mode lets the (registered) agent in.
        $this->assertSame(200, $this->send(self::contact())->status);
    }

    public function testBadRequestsAreRefusedBeforeAnyChallenge(): void
    {
        $this->token();
        $before = $this->store->snapshot();
        $weak = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 1024]);
        openssl_csr_export(openssl_csr_new(['commonName' => 'x'], $weak, ['digest_alg' => 'sha256']), $weakCsr);
        $first = ['action' => 'register', 'deviceid' => 'pc-1', 'port' => 0, 'name' => 'GLPI-Agent', 'version' => '1.12'];
        $this->assertRefused($this->send($first + ['csr' => $weakCsr]), 400, 'csr key refused', $before);
        $this->assertRefused($this->send($first + ['csr' => 'not a request']), 400, 'bad csr', $before);
        $this->assertRefused($this->send($first + ['csr' => 42]), 400, 'bad-format', $before);
    }

    public function testRequiredModeRefusesRequestsWithoutCertificate(): void
    {
        self::$required ??= new EndpointServer(array_merge(self::storeSettings(), self::certificateEnv('required')));
        $before = $this->store->snapshot();
        $this->assertRefused($this->send(self::contact(), self::AGENT_ID, null, self::$required), 403, 'certificate required', $before);
        $first = ['action' => 'register', 'deviceid' => 'pc-1', 'port' => 0, 'name' => 'GLPI-Agent', 'version' => '1.12'];
        $this->assertRefused($this->send($first, self::AGENT_ID, null, self::$required), 403, 'certificate required', $before);
        // A GET retry fetches a stored answer: it needs the certificate as much.
        $retry = self::$required->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => '0123ABCD']);
        $this->assertRefused($retry, 403, 'certificate required', $before);
    }
}
