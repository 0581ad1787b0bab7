<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\RegisterAgent;

use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;

require_once __DIR__ . '/EndpointTestCase.php';

/**
 * Tests of REGISTER over HTTP (docs/register.md): a server with register = token, the
 * agent side played with RegisterAgent and seal_message/open_message, tokens and
 * approvals through tools/admin.php, and servers with other settings on demand.
 */
abstract class RegisterTestCase extends EndpointTestCase
{
    protected const ENCRYPTED = 'application/x-glpi-encrypted';

    protected static ?string $dir = null;
    /** @var array<string, EndpointServer> servers with other policies, started on first use */
    protected static array $others = [];
    protected ?EndpointServer $target = null;

    protected static function serverEnv(): array
    {
        return self::registerEnv();
    }

    /** @return array<string, string> */
    protected static function registerEnv(): array
    {
        self::$dir ??= sys_get_temp_dir() . '/gap-register-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        return ['GAP_REGISTER' => 'token', 'GAP_KEK_FILE' => self::$dir . '/kek.bin', 'GAP_REGISTER_RETRY' => '1h', 'GAP_KEY_LIFETIME' => '30d'];
    }

    /** @return array<string, string> the store and KEK the endpoint uses, for other processes */
    protected static function storeEnv(): array
    {
        return self::storeSettings() + ['GAP_KEK_FILE' => self::registerEnv()['GAP_KEK_FILE']];
    }

    public static function tearDownAfterClass(): void
    {
        foreach (self::$others as $server) {
            $server->stop();
        }
        self::$others = [];
        parent::tearDownAfterClass();
        if (self::$dir !== null) {
            self::removeDirectory(self::$dir);
        }
        self::$dir = null;
    }

    protected function tearDown(): void
    {
        $this->target = null;
        parent::tearDown();
    }

    /** Sends the following requests to a server with other settings. */
    protected function useServer(string $name, array $env): void
    {
        self::$others[$name] ??= new EndpointServer(array_merge(self::storeEnv(), self::registerEnv(), $env));
        $this->target = self::$others[$name];
    }

    protected function post(array $headers, string $body): HttpAnswer
    {
        $server = $this->target ?? self::$server;
        return $server->request('POST', $headers + ['Pragma' => 'no-cache'], $body);
    }

    // tools/admin.php -------------------------------------------------------------------

    /** @return array{0: int, 1: string, 2: string} exit code, stdout, stderr */
    protected static function admin(string ...$args): array
    {
        return self::runTool('admin.php', self::storeEnv(), ...$args);
    }

    protected function adminOk(string ...$args): string
    {
        [$code, $out, $err] = self::admin(...$args);
        $this->assertSame(0, $code, "admin @args failed: $err");
        return $out;
    }

    /** @return array{0: int, 1: string} token id and token */
    protected function createToken(?string $tag = null): array
    {
        $out = $this->adminOk('token', 'create', ...($tag === null ? [] : ['--tag', $tag]));
        $this->assertMatchesRegularExpression('/^token (\d+): ([0-9a-f-]{36})$/m', $out);
        preg_match('/^token (\d+): ([0-9a-f-]{36})$/m', $out, $m);
        return [(int) $m[1], $m[2]];
    }

    // The agent side --------------------------------------------------------------------

    protected static function registerHeaders(string $agentId = self::AGENT_ID): array
    {
        return ['Content-Type' => 'application/json', 'User-Agent' => 'GLPI-Agent_v1.12', 'GLPI-Agent-ID' => $agentId];
    }

    /** @param array<string, mixed> $fields members replacing the usual ones */
    protected static function firstMessage(?string $tag = null, array $fields = []): string
    {
        $message = $fields + ['action' => 'register', 'deviceid' => 'pc-1-2026-01-01', 'port' => 62354, 'name' => 'GLPI-Agent', 'version' => '1.12'];
        if ($tag !== null) {
            $message['tag'] = $tag;
        }
        return self::jsonMessage($message);
    }

    protected static function answerMessage(string $answer): string
    {
        return self::jsonMessage(['action' => 'register', 'challenge' => $answer]);
    }

    /** Sends the first message; returns the challenge. */
    protected function askChallenge(string $agentId = self::AGENT_ID, ?string $tag = null, ?string $key = null): string
    {
        $answer = $this->send(self::firstMessage($tag), $agentId, $key);
        $this->assertSame(200, $answer->status, $answer->plain());
        $json = $this->answerJson($answer, $agentId, $key);
        $this->assertSame('pending', $json['status']);
        $this->assertSame('token-validation', $json['needs']);
        $this->assertSame('1m', $json['expiration']);
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $json['challenge']);
        return $json['challenge'];
    }

    /**
     * The whole registration; returns the session key (null without encryption).
     */
    protected function registerAgent(string $token, string $agentId = self::AGENT_ID, ?string $oldKey = null, ?string $tag = null): ?string
    {
        $challenge = $this->askChallenge($agentId, $tag, $oldKey);
        $mine = RegisterAgent::answer($token, $agentId, $challenge);
        $answer = $this->send(self::answerMessage($mine['answer']), $agentId, $oldKey);
        $this->assertSame(200, $answer->status, $answer->plain());
        $json = $this->answerJson($answer, $agentId, $oldKey);
        $this->assertSame('registered', $json['status'], json_encode($json));
        $this->assertSame('30d', $json['expiration']);
        return RegisterAgent::finish($token, $mine['state'], $json['challenge'], $json['crypto'] ?? null);
    }

    /** A JSON message, plain or sealed under $key. */
    protected function send(string $json, string $agentId = self::AGENT_ID, ?string $key = null): HttpAnswer
    {
        if ($key === null) {
            return $this->post(self::registerHeaders($agentId), $json);
        }
        return $this->post(self::encryptedHeaders($agentId), seal_message($json, 'application/json', $key, $agentId));
    }

    protected static function encryptedHeaders(string $agentId = self::AGENT_ID, ?string $keyId = null): array
    {
        return ['Content-Type' => self::ENCRYPTED, 'User-Agent' => 'GLPI-Agent_v1.12', 'GLPI-Agent-ID' => $agentId, 'GLPI-CryptoKey-ID' => $keyId ?? $agentId];
    }

    /** @return array<string, mixed> */
    protected function answerJson(HttpAnswer $answer, string $agentId, ?string $key): array
    {
        if ($key === null) {
            return $answer->json();
        }
        $this->assertSame(self::ENCRYPTED, $answer->contentType(), 'an encrypted request gets an encrypted answer');
        $opened = open_message($answer->body, $key, $agentId);
        return json_decode($opened['body'], true, 512, JSON_THROW_ON_ERROR);
    }

    protected static function contact(): string
    {
        return self::jsonMessage(['action' => 'contact', 'deviceid' => 'pc-1-2026-01-01', 'name' => 'GLPI-Agent', 'version' => '1.12', 'installed-tasks' => ['inventory']]);
    }

    protected static function inventory(): string
    {
        return self::jsonMessage(['action' => 'inventory', 'deviceid' => 'pc-1-2026-01-01', 'content' => ['hardware' => ['name' => 'pc-1']]]);
    }

    protected function assertRefusedWith(HttpAnswer $answer, int $status, string $token, array $before, int|string $expiration = '1h'): void
    {
        $this->assertRefused($answer, $status, $token, $before);
        $this->assertSame($expiration, $answer->json()['expiration']);
        $this->assertSame('application/json', $answer->contentType(), 'error answers go out in the clear');
    }

    /**
     * A refused answer to a challenge: one failure event more in the bounded failure
     * table, nothing else; the agent's challenges stay answerable.
     */
    protected function assertChallengeRefused(HttpAnswer $answer, array $before, string $event, string $token = 'challenge failed', string $agentId = self::AGENT_ID): void
    {
        $this->assertSame(403, $answer->status, $answer->plain());
        $this->assertSame($token, $answer->token());
        $after = $this->store->snapshot();
        $this->assertCount(count($before['register_failures']) + 1, $after['register_failures']);
        $this->assertSame($event, end($after['register_failures'])['event']);
        $this->assertSame($agentId, end($after['register_failures'])['agent_uuid']);
        unset($before['register_failures'], $after['register_failures']);
        $this->assertSame($before, $after);
    }

    protected function setColumn(string $table, string $column, string $value, string $agentId = self::AGENT_ID): void
    {
        $this->store->pdo()->prepare("UPDATE $table SET $column = ? WHERE agent_uuid = ?")->execute([$value, $agentId]);
    }
}
