<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * The endpoint's configuration through its environment: basic authentication, accepted
 * encodings, body limit, expiration, this server's id in proxy chains.
 */
final class EndpointSettingsTest extends EndpointTestCase
{
    private const SERVER_ID = 'c0ffee00-0000-4000-8000-000000000001';

    protected static function serverEnv(): array
    {
        return [
            'GAP_AUTH_LOGIN' => 'agent',
            'GAP_AUTH_PASSWORD' => 's3cret:with colon',
            'GAP_AUTH_REALM' => 'inventory',
            'GAP_ENCODINGS' => 'zlib,none',
            'GAP_MAX_BODY_BYTES' => '1048576',
            'GAP_EXPIRATION' => '6h',
            'GAP_SERVER_ID' => self::SERVER_ID,
        ];
    }

    /** @param array<string, string> $headers */
    private static function authorized(array $headers, string $password = 's3cret:with colon'): array
    {
        return $headers + ['Authorization' => 'Basic ' . base64_encode("agent:$password")];
    }

    public function testWithoutCredentialsTheAgentIsAskedForThem(): void
    {
        $before = $this->store->snapshot();
        $answer = $this->post(self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib'));
        $this->assertRefused($answer, 401, 'unauthorized', $before);
        // Agents (LWP) only send credentials after a challenge naming the realm.
        $this->assertSame('Basic realm="inventory"', $answer->header('WWW-Authenticate'));
    }

    /** @return array<string, array{string}> */
    public static function wrongCredentials(): array
    {
        return [
            'wrong password' => ['Basic ' . base64_encode('agent:s3cret')],
            'wrong login' => ['Basic ' . base64_encode('agents:s3cret:with colon')],
            'password with a trailing byte' => ['Basic ' . base64_encode("agent:s3cret:with colon\0")],
            'not base64' => ['Basic %%%'],
            'another scheme' => ['Bearer ' . base64_encode('agent:s3cret:with colon')],
            // Not UTF-8: once a TypeError and a 500 "internal error".
            'right credentials and a byte that is not UTF-8' => ['Basic ' . base64_encode('agent:s3cret:with colon') . "\xff"],
        ];
    }

    /** @dataProvider wrongCredentials */
    public function testWrongCredentialsAreRefused(string $authorization): void
    {
        $before = $this->store->snapshot();
        $answer = $this->post(['Authorization' => $authorization] + self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib'));
        $this->assertRefused($answer, 401, 'unauthorized', $before);
        $this->assertNotNull($answer->header('WWW-Authenticate'));
    }

    public function testTheRightCredentialsLetTheAgentIn(): void
    {
        $answer = $this->post(self::authorized(self::agentHeaders()), self::wire('glpi-agent-03-contact.zlib'));
        $this->assertSame(200, $answer->status);
        $this->assertSame('6h', $answer->json()['expiration']);
        $this->assertCount(1, $this->store->agents());
    }

    public function testGetRetriesNeedCredentialsToo(): void
    {
        $this->post(self::authorized(self::agentHeaders(requestId: 'ABCDEF12')), self::wire('glpi-agent-03-contact.zlib'));
        $ids = ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => 'ABCDEF12'];
        $this->assertSame(401, self::$server->request('GET', $ids)->status);
        $this->assertSame(200, self::$server->request('GET', self::authorized($ids))->status);
    }

    public function testTheLegacyPrologFrequencyIsTheExpirationInHours(): void
    {
        $answer = $this->post(self::authorized(self::legacyHeaders()), self::wire('fusioninventory-agent-01-prolog.zlib'));
        $this->assertSame(200, $answer->status);
        $this->assertSame('6', (string) simplexml_load_string($answer->plain())->PROLOG_FREQ);
    }

    public function testAnEncodingLeftOutOfTheConfigurationIsUnsupported(): void
    {
        $before = $this->store->snapshot();
        $answer = $this->post(self::authorized(self::agentHeaders('application/x-compress-gzip')), gzencode(gzuncompress(self::wire('glpi-agent-03-contact.zlib'))));
        $this->assertRefused($answer, 415, 'unsupported content-type', $before);
        $this->assertSame('application/json', $answer->contentType(), 'a refused encoding is not used to answer');
    }

    public function testABodyOverTheConfiguredLimitIsTooLarge(): void
    {
        $before = $this->store->snapshot();
        $big = self::jsonMessage(['action' => 'inventory', 'deviceid' => 'pc-1', 'content' => ['x' => str_repeat('a', 1100000)]]);
        $answer = $this->post(self::authorized(self::agentHeaders('application/json')), $big);
        $this->assertRefused($answer, 413, 'payload too large', $before);
    }

    public function testThisServerInTheProxyChainIsALoop(): void
    {
        $before = $this->store->snapshot();
        $headers = self::authorized(self::agentHeaders()) + ['GLPI-Proxy-ID' => strtoupper(self::SERVER_ID)];
        $answer = $this->post($headers, self::wire('glpi-agent-03-contact.zlib'));
        $this->assertRefused($answer, 404, 'proxy-loop-detected', $before);
    }
}
