<?php
// The protocol's HTTP headers as seen from PHP (spec 3.2): GLPI-Agent-ID, GLPI-Request-ID,
// GLPI-Proxy-ID, Accept negotiation, expiration delays (3.3.2) and Basic credentials.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

require_once __DIR__ . '/ProtocolAssertions.php';

use GlpiAgentProtocol\Request;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\check_basic_auth;
use function GlpiAgentProtocol\format_expiration;
use function GlpiAgentProtocol\negotiate;
use function GlpiAgentProtocol\parse_expiration;

final class HeadersTest extends TestCase
{
    use ProtocolAssertions;

    private const AGENT = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';
    private const PROXY_A = '3a609a2e-947f-4e6a-9af9-32c024ac3944';
    private const PROXY_B = 'a3540c0e-ac3c-46cf-892f-692ca02209f8';
    private const CONTACT = '{"action":"contact","deviceid":"vm-1"}';

    protected function tearDown(): void
    {
        ini_restore('glpi_agent_protocol.max_proxies');
    }

    /** @param array<string, string> $headers */
    private static function decode(array $headers, array $options = []): Request
    {
        return Request::decode(self::CONTACT, ['Content-Type' => 'application/json'] + $headers, $options);
    }

    // GLPI-Agent-ID (spec 3.2.1)

    public function testAgentIdIsReadInAnyCaseAndWrittenInLowerCase(): void
    {
        $this->assertNull(self::decode([])->agentId());
        foreach (['GLPI-Agent-ID', 'glpi-agent-id', 'GLPI-AGENT-ID', 'Glpi-Agent-Id'] as $name) {
            $this->assertSame(self::AGENT, self::decode([$name => self::AGENT])->agentId(), $name);
            $this->assertSame(self::AGENT, self::decode([$name => strtoupper(self::AGENT)])->agentId(), $name);
        }
        $this->assertSame(self::AGENT, self::decode(['GLPI-Agent-ID' => ' ' . self::AGENT . "\t"])->agentId(), 'surrounding whitespace');
        $this->assertSame(self::AGENT, Request::decode(self::CONTACT, cgi_vars(['HTTP_GLPI_AGENT_ID' => self::AGENT]))->agentId());
    }

    /** @return array<string, array{string}> */
    public static function malformedAgentIds(): array
    {
        return [
            'empty' => [''],
            'words' => ['not-a-uuid'],
            'no hyphens' => [str_replace('-', '', self::AGENT)],
            'braces' => ['{' . self::AGENT . '}'],
            'urn' => ['urn:uuid:' . self::AGENT],
            'one digit short' => [substr(self::AGENT, 0, -1)],
            'one digit more' => [self::AGENT . '0'],
            'non-hex digit' => ['8d4cd9d8-e630-11f1-84c8-420f0d1cbbfg'],
            'hyphen moved' => ['8d4cd9d-8e630-11f1-84c8-420f0d1cbbf9'],
            'two ids' => [self::AGENT . ', ' . self::PROXY_A],
            'NUL inside' => ["8d4cd9d8-e630-11f1-84c8-420f0d1cbbf\0"],
            'not UTF-8' => ["8d4cd9d8-e630-11f1-84c8-420f0d1cbbf\xff"],
        ];
    }

    /** @dataProvider malformedAgentIds */
    public function testMalformedAgentIdIsA400(string $value): void
    {
        $this->assertProtocolError(400, 'bad agent id', fn () => self::decode(['GLPI-Agent-ID' => $value]));
        $this->assertProtocolError(400, 'bad agent id', fn () => Request::decode(self::CONTACT, cgi_vars(['HTTP_GLPI_AGENT_ID' => $value, 'REQUEST_METHOD' => 'POST'])));
    }

    public function testTheSameHeaderTwiceWithDifferentValuesIsNotOneId(): void
    {
        // Two spellings of one name combine as a repeated field ("a, b").
        $this->assertProtocolError(400, 'bad agent id', fn () => self::decode(['GLPI-Agent-ID' => self::AGENT, 'glpi-agent-id' => self::PROXY_A]));
        $this->assertSame(self::AGENT, self::decode(['GLPI-Agent-ID' => self::AGENT, 'glpi-agent-id' => self::AGENT])->agentId());
    }

    // GLPI-Request-ID (spec 3.2.2)

    public function testRequestIdIsKeptOnlyWhenItIsEightUpperCaseHexDigits(): void
    {
        $this->assertNull(self::decode([])->requestId());
        foreach (['F4CCE510', '6FB6BD6B', '00000000', 'FFFFFFFF', '0123ABCD'] as $valid) {
            $this->assertSame($valid, self::decode(['GLPI-Request-ID' => $valid])->requestId());
            $this->assertSame($valid, self::decode(['glpi-request-id' => $valid])->requestId());
            $this->assertSame($valid, Request::decode(self::CONTACT, cgi_vars(['HTTP_GLPI_REQUEST_ID' => $valid]))->requestId());
        }
        foreach (['f4cce510', 'F4cCE510', 'F4CCE51', 'F4CCE5100', 'G4CCE510', '0x4CCE51', '', 'F4CC E510', "F4CCE510\0", '-1234567'] as $invalid) {
            $this->assertNull(self::decode(['GLPI-Request-ID' => $invalid])->requestId(), var_export($invalid, true));
        }
    }

    // GLPI-Proxy-ID (spec 3.2.7)

    public function testProxyIdListParsing(): void
    {
        $this->assertSame([], self::decode([])->proxyIds());
        $this->assertSame([self::PROXY_A], self::decode(['GLPI-Proxy-ID' => self::PROXY_A])->proxyIds());
        $this->assertSame(
            [self::PROXY_A, self::PROXY_B],
            self::decode(['GLPI-Proxy-ID' => self::PROXY_A . ',' . self::PROXY_B])->proxyIds()
        );
        $this->assertSame(
            [self::PROXY_A, self::PROXY_B],
            self::decode(['glpi-proxy-id' => ' ' . strtoupper(self::PROXY_A) . " ,\t" . self::PROXY_B . ' '])->proxyIds(),
            'spaces around entries, upper case written lower'
        );
        $this->assertSame(
            [self::PROXY_A, self::PROXY_B],
            self::decode(['GLPI-Proxy-ID' => ',' . self::PROXY_A . ',, ,' . self::PROXY_B . ','])->proxyIds(),
            'empty list elements are skipped (RFC 7230 section 7)'
        );
        $this->assertSame([], self::decode(['GLPI-Proxy-ID' => ''])->proxyIds());
        $this->assertSame(
            [self::PROXY_A, self::PROXY_B],
            Request::decode(self::CONTACT, cgi_vars(['HTTP_GLPI_PROXY_ID' => self::PROXY_A . ', ' . self::PROXY_B]))->proxyIds()
        );
        foreach (['x', self::PROXY_A . ';' . self::PROXY_B, self::PROXY_A . ' ' . self::PROXY_B, self::PROXY_A . ',nope'] as $bad) {
            $this->assertProtocolError(400, 'bad proxy id', fn () => self::decode(['GLPI-Proxy-ID' => $bad]), $bad);
        }
    }

    /** $n distinct proxy ids, comma separated. */
    private static function chain(int $n): string
    {
        $ids = [];
        for ($i = 1; $i <= $n; $i++) {
            $ids[] = sprintf('00000000-0000-4000-8000-%012x', $i);
        }
        return implode(', ', $ids);
    }

    public function testTheProxyChainCheckAppliesSpec327AtEitherEnd(): void
    {
        $agent = ['GLPI-Agent-ID' => self::AGENT];
        $ok = self::decode($agent + ['GLPI-Proxy-ID' => self::PROXY_A]);
        $ok->checkProxyChain();
        $ok->checkProxyChain(self::PROXY_B);
        $ok->checkProxyChain(strtoupper(self::PROXY_B), true);
        $loops = [
            'this server in the chain' => [self::PROXY_A, self::PROXY_A],
            'this server, upper case' => [self::PROXY_A, strtoupper(self::PROXY_A)],
            'the agent relays itself' => [self::AGENT . ',' . self::PROXY_A, null],
            'one proxy twice' => [self::PROXY_A . ',' . self::PROXY_B . ',' . self::PROXY_A, null],
        ];
        foreach ($loops as $why => [$chain, $own]) {
            $request = self::decode($agent + ['GLPI-Proxy-ID' => $chain]);
            $this->assertProtocolError(404, 'proxy-loop-detected', fn () => $request->checkProxyChain($own), $why);
            $this->assertProtocolError(404, 'proxy-loop-detected', fn () => $request->checkProxyChain($own, true), $why);
        }
        // A full chain reaches the server, but a proxy has no room left to add itself.
        $full = self::decode($agent + ['GLPI-Proxy-ID' => self::chain(3)], ['max_proxies' => 3]);
        $full->checkProxyChain(self::PROXY_A);
        $this->assertProtocolError(404, 'too-many-proxy', fn () => $full->checkProxyChain(self::PROXY_A, true));
        self::decode($agent + ['GLPI-Proxy-ID' => self::chain(2)], ['max_proxies' => 3])->checkProxyChain(self::PROXY_A, true);
        $this->assertValueError(fn () => $ok->checkProxyChain('not-a-uuid'));
    }

    public function testTooManyProxiesIsA404(): void
    {
        // Spec 3.2.7 suggests 5 by default.
        $this->assertCount(5, self::decode(['GLPI-Proxy-ID' => self::chain(5)])->proxyIds());
        $this->assertProtocolError(404, 'too-many-proxy', fn () => self::decode(['GLPI-Proxy-ID' => self::chain(6)]));

        $this->assertCount(2, self::decode(['GLPI-Proxy-ID' => self::chain(2)], ['max_proxies' => 2])->proxyIds());
        $this->assertProtocolError(404, 'too-many-proxy', fn () => self::decode(['GLPI-Proxy-ID' => self::chain(3)], ['max_proxies' => 2]));
        $this->assertProtocolError(404, 'too-many-proxy', fn () => self::decode(['GLPI-Proxy-ID' => self::chain(2)], ['max_proxies' => 1]));
        $this->assertCount(8, self::decode(['GLPI-Proxy-ID' => self::chain(8)], ['max_proxies' => 8])->proxyIds());

        $this->assertNotFalse(ini_set('glpi_agent_protocol.max_proxies', '1'));
        $this->assertCount(1, self::decode(['GLPI-Proxy-ID' => self::chain(1)])->proxyIds());
        $this->assertProtocolError(404, 'too-many-proxy', fn () => self::decode(['GLPI-Proxy-ID' => self::chain(2)]));
        $this->assertCount(2, self::decode(['GLPI-Proxy-ID' => self::chain(2)], ['max_proxies' => 2])->proxyIds(), 'the option wins');

        $this->assertValueError(fn () => self::decode([], ['max_proxies' => 0]));
        $this->assertValueError(fn () => self::decode([], ['max_proxies' => '5']));
    }

    public function testAHugeProxyListCostsNoMoreThanTheLimit(): void
    {
        // 100,000 entries, the first invalid past the limit: the limit answers first.
        $value = self::chain(6) . str_repeat(', junk', 100000);
        $this->assertProtocolError(404, 'too-many-proxy', fn () => self::decode(['GLPI-Proxy-ID' => $value]));
    }

    // Accept (spec 3.2.4, RFC 7231 section 5.3.2)

    public function testNegotiateMirrorsTheRequestWithoutAccept(): void
    {
        $this->assertSame('application/x-compress-zlib', negotiate(null, 'application/x-compress-zlib'));
        $this->assertSame('application/x-compress-zlib', negotiate(null, 'application/x-zlib'), 'answers use the canonical spelling');
        $this->assertSame('application/x-compress-gzip', negotiate(null, 'Application/X-GZIP'));
        $this->assertSame('application/x-compress-deflate', negotiate(null, 'application/x-deflate'));
        $this->assertSame('application/x-br', negotiate(null, 'application/x-br'), 'brotli keeps the spelling, as the answer does');
        $this->assertSame('application/x-compress-br', negotiate(null, 'application/x-compress-br'));
        $this->assertSame('application/json', negotiate(null, 'application/json; charset=UTF-8'));
        $this->assertSame('application/xml', negotiate(null, 'application/xml'));
        $this->assertSame('application/json', negotiate(null, 'text/plain'));
        $this->assertSame('application/json', negotiate(null, null));
        $this->assertSame('application/json', negotiate(null));
        $this->assertSame('application/x-compress-gzip', negotiate('', 'application/x-compress-gzip'), 'empty Accept');
        $this->assertSame('application/x-compress-gzip', negotiate(' , ,', 'application/x-compress-gzip'), 'Accept without entries');
    }

    public function testSpecExamples(): void
    {
        $this->assertSame('application/json', negotiate('application/json'));
        $this->assertSame('application/json', negotiate('application/json', 'application/x-compress-zlib'));
        $spec = 'application/xml; q=0.1, application/json; q=0.5, application/x-compress-zlib; q=0.7, application/x-compress-gzip; q=0.8, application/x-compress-br';
        $this->assertSame('application/x-compress-br', negotiate($spec, 'application/x-compress-zlib'));
        $this->assertSame('application/x-compress-gzip', negotiate(str_replace(', application/x-compress-br', '', $spec), 'application/x-compress-zlib'));
        // The spec's PDF rendering breaks "application/ x-compress-zlib": that entry is malformed
        // and skipped, the others still count.
        $broken = 'application/xml; q=0.1, application/json; q=0.5, application/ x-compress-zlib; q=0.7';
        $this->assertSame('application/json', negotiate($broken, 'application/x-compress-zlib'));
    }

    public function testQValuesWildcardsAndTies(): void
    {
        $this->assertSame('application/x-compress-gzip', negotiate('application/json;q=0.2, application/x-compress-gzip;q=0.9'));
        $this->assertSame('application/json', negotiate('application/json;q=0.9, application/x-compress-gzip;q=0.2'));
        $this->assertSame('application/x-compress-gzip', negotiate('APPLICATION/X-COMPRESS-GZIP ; Q=0.9 , application/json;q=0.2'));
        $this->assertSame('application/x-compress-zlib', negotiate('application/x-zlib', 'application/json'), 'aliases in Accept');
        $this->assertSame('application/x-compress-gzip', negotiate('*/*', 'application/x-compress-gzip'), 'a wildcard keeps the mirror');
        $this->assertSame('application/json', negotiate('*/*'));
        $this->assertSame('application/x-compress-br', negotiate('application/*', 'application/x-compress-br'));
        $this->assertSame('application/x-compress-gzip', negotiate('application/x-compress-gzip, */*', 'application/x-compress-zlib'), 'a named type beats a wildcard');
        $this->assertSame('application/x-compress-zlib', negotiate('*/*, application/json;q=0', 'application/json'), 'a specific refusal beats a wildcard');
        $this->assertSame('application/x-compress-zlib', negotiate('application/json, application/x-compress-zlib', 'application/x-compress-zlib'), 'ties go to the mirror');
        $this->assertSame('application/json', negotiate('application/json, application/x-compress-zlib'), 'then to the server order');
        $this->assertSame('application/json', negotiate('application/json;q=0.001'));
        $this->assertSame('application/x-compress-gzip', negotiate('application/json;q=2, application/x-compress-gzip'), 'a bad q skips the entry');
        $this->assertSame('application/xml', negotiate('application/*', 'application/xml'), 'an XML request gets an XML answer');
    }

    public function testNothingAcceptableIsA406(): void
    {
        foreach (['text/html', 'text/*', 'application/json;q=0', '*/*;q=0', 'application/json, application/json;q=0', 'image/png, text/html;q=0.5'] as $accept) {
            $this->assertProtocolError(406, 'not acceptable', fn () => negotiate($accept, 'application/json'), $accept);
        }
        $this->assertProtocolError(406, 'not acceptable', fn () => negotiate('application/json', 'application/xml'), 'XML answers cannot be JSON');
    }

    public function testAcceptReachesTheRequestThroughEitherHeaderShape(): void
    {
        // The negotiated type shows in the answer; Response tests cover it, here only decoding.
        $request = Request::decode(self::CONTACT, cgi_vars(['CONTENT_TYPE' => 'application/json', 'HTTP_ACCEPT' => 'text/html']));
        $this->assertSame('json', $request->mode());
        $this->assertProtocolError(406, 'not acceptable', fn () => \GlpiAgentProtocol\Response::forRequest($request, ['status' => 'ok']));
    }

    public function testHeaderNamesAClientChoosesCannotSwitchTheArraysShape(): void
    {
        // getallheaders() of a client that sent "HTTP_X" and "REQUEST_METHOD" headers: still
        // header fields, so Accept is read (and refused), and a "CONTENT_TYPE" field is not
        // the content type.
        $fields = ['HTTP_X' => '1', 'REQUEST_METHOD' => 'POST', 'Accept' => 'text/html', 'GLPI-Agent-ID' => self::AGENT];
        $request = Request::decode(self::CONTACT, $fields);
        $this->assertSame(self::AGENT, $request->agentId());
        $this->assertProtocolError(406, 'not acceptable', fn () => \GlpiAgentProtocol\Response::forRequest($request, ['status' => 'ok']));
        $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, ['Content-Type' => 'text/html', 'CONTENT_TYPE' => 'application/json']));
        $this->assertSame('json', Request::decode(self::CONTACT, ['CONTENT_TYPE' => 'text/html'])->mode(), 'CONTENT_TYPE is no Content-Type');
        $this->assertNull(Request::decode(self::CONTACT, ['GLPI_Agent_ID' => self::AGENT])->agentId(), 'an underscore is not a hyphen');
    }

    public function testTheNilUuidIsNoAgentId(): void
    {
        $this->assertProtocolError(400, 'bad agent id', fn () => self::decode(['GLPI-Agent-ID' => '00000000-0000-0000-0000-000000000000']));
        $this->assertProtocolError(400, 'bad proxy id', fn () => self::decode(['GLPI-Proxy-ID' => '00000000-0000-0000-0000-000000000000']));
    }

    public function testBasicAuthHeadersThatAreNotUtf8AreWrongCredentials(): void
    {
        $good = 'Basic ' . base64_encode('agent:pw');
        $this->assertTrue(check_basic_auth($good, 'agent', 'pw'));
        $this->assertFalse(check_basic_auth($good . "\xff", 'agent', 'pw'));
        $this->assertTrue(check_basic_auth('Basic ' . base64_encode("agent:p\xe4ss"), 'agent', "p\xe4ss"), 'Latin-1 passwords compare as bytes');
    }

    // Expiration delays (spec 3.3.2)

    public function testParseExpirationSpecExamples(): void
    {
        $this->assertSame(86400, parse_expiration('1d'));
        $this->assertSame(86400, parse_expiration('24'));
        $this->assertSame(60, parse_expiration('1m'));
        $this->assertSame(30, parse_expiration('30s'));
        $this->assertSame(21600, parse_expiration('6h'));
        $this->assertSame(1800, parse_expiration('30m'));
        $this->assertSame(2592000, parse_expiration('30d'));
        $this->assertSame(86400, parse_expiration(24), 'an int counts hours');
        $this->assertSame(3600, parse_expiration(1));
        $this->assertSame(86400, parse_expiration('024'), 'leading zeros, as the agent reads them');
    }

    public function testParseExpirationRefusals(): void
    {
        foreach ([0, -1, PHP_INT_MAX, PHP_INT_MIN] as $int) {
            $this->assertValueError(fn () => parse_expiration($int), (string) $int);
        }
        foreach (['0', '-1', '1w', '', 'd', '1D', '1.5h', ' 1d', '1d ', '+1d', '1 d', '0s', '0d', '1dd', '99999999999999999999', '9223372036854775807d'] as $text) {
            $this->assertValueError(fn () => parse_expiration($text), var_export($text, true));
        }
        // Declared `mixed`: other types are refused as values, whatever strict_types says.
        foreach ([1.5, 24.0, null, true, ['1d']] as $other) {
            $this->assertValueError(fn () => parse_expiration($other), var_export($other, true));
        }
    }

    public function testFormatExpiration(): void
    {
        $this->assertSame('1d', format_expiration(86400));
        $this->assertSame('1h', format_expiration(3600));
        $this->assertSame('1m', format_expiration(60));
        $this->assertSame('90s', format_expiration(90));
        $this->assertSame('30m', format_expiration(1800));
        $this->assertSame('25h', format_expiration(90000));
        $this->assertSame('1s', format_expiration(1));
        foreach ([0, -1, PHP_INT_MIN] as $bad) {
            $this->assertValueError(fn () => format_expiration($bad), (string) $bad);
        }
    }

    public function testExpirationRoundTrip(): void
    {
        $values = [1, 59, 60, 61, 3599, 3600, 3660, 86399, 86400, 86460, 90000, 604800, 2592000, PHP_INT_MAX];
        for ($i = 0; $i < 200; $i++) {
            $values[] = ($i * 7919 + 1) * [1, 60, 3600, 86400][$i % 4];
        }
        foreach ($values as $seconds) {
            $text = format_expiration($seconds);
            $this->assertMatchesRegularExpression('/^[1-9][0-9]*[smhd]$/', $text);
            $this->assertSame($seconds, parse_expiration($text), $text);
        }
    }

    // Basic credentials (RFC 7617)

    private static function basic(string $userPass, string $scheme = 'Basic'): string
    {
        return $scheme . ' ' . base64_encode($userPass);
    }

    public function testBasicAuth(): void
    {
        $this->assertTrue(check_basic_auth(self::basic('glpi:s3cret'), 'glpi', 's3cret'));
        $this->assertTrue(check_basic_auth('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'), 'RFC 7617 section 2');
        $this->assertTrue(check_basic_auth('Basic dGVzdDoxMjPCow==', 'test', '123£'), 'RFC 7617 section 2.1');
        $this->assertTrue(check_basic_auth(self::basic('glpi:pass:with:colons'), 'glpi', 'pass:with:colons'));
        $this->assertTrue(check_basic_auth(self::basic('glpi:'), 'glpi', ''), 'an empty password may be configured');
        foreach (['basic', 'BASIC', 'bAsIc'] as $scheme) {
            $this->assertTrue(check_basic_auth(self::basic('glpi:s3cret', $scheme), 'glpi', 's3cret'), $scheme);
        }
        $this->assertTrue(check_basic_auth('Basic   ' . base64_encode('glpi:s3cret'), 'glpi', 's3cret'), 'several spaces');

        $this->assertFalse(check_basic_auth(self::basic('glpi:s3cret'), 'glpi', 's3cret '), 'wrong password');
        $this->assertFalse(check_basic_auth(self::basic('glpi:s3cret'), 'GLPI', 's3cret'), 'wrong login');
        $this->assertFalse(check_basic_auth(self::basic('glpi:s3cret'), 'glpi', 'S3CRET'));
        $this->assertFalse(check_basic_auth(self::basic('agent:1e3'), 'agent', '1000'), 'no loose == between numeric strings');
        $this->assertFalse(check_basic_auth(self::basic('agent:1000'), 'agent', '1e3'));
        $this->assertFalse(check_basic_auth(self::basic('0:0'), '0e1', '0e2'));
        $this->assertFalse(check_basic_auth(null, 'glpi', 's3cret'), 'no header');
        $this->assertFalse(check_basic_auth('', 'glpi', 's3cret'));
        $this->assertFalse(check_basic_auth(self::basic(':'), '', ''), 'an empty login never matches');
        $this->assertFalse(check_basic_auth(self::basic('glpis3cret'), 'glpi', 's3cret'), 'no colon');
        $this->assertFalse(check_basic_auth('Bearer ' . base64_encode('glpi:s3cret'), 'glpi', 's3cret'), 'other scheme');
        $this->assertFalse(check_basic_auth('Basic', 'glpi', 's3cret'));
        $this->assertFalse(check_basic_auth('Basic !!!not base64!!!', 'glpi', 's3cret'), 'malformed base64');
        $this->assertSame('Z2xwaTpzM2NyZXQ=', base64_encode('glpi:s3cret'));
        $this->assertFalse(check_basic_auth('Basic Z2xwaTpzM2NyZXQ', 'glpi', 's3cret'), 'missing padding');
        $this->assertFalse(check_basic_auth('Basic Z2xwaTpzM2NyZXR=', 'glpi', 's3cret'), 'stray bits in the last digit');
        $this->assertFalse(check_basic_auth('Basic ' . base64_encode('glpi:s3cret') . 'x', 'glpi', 's3cret'));
        $this->assertFalse(check_basic_auth('Basic' . base64_encode('glpi:s3cret'), 'glpi', 's3cret'), 'no space after the scheme');
    }
}
