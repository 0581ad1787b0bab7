<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\RegisterAgent;
use PHPUnit\Framework\Assert;

use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;

require_once __DIR__ . '/EndpointServer.php';

/**
 * One GLPI agent as the endpoint tests play it over raw HTTP: its REGISTER messages, its
 * session key once registered, and its requests sealed under that key. Each request names
 * its endpoint (a port or a socket, as EndpointServer::send()), so that one registration
 * may span two endpoint instances.
 */
final class TestAgent
{
    public const ENCRYPTED = 'application/x-glpi-encrypted';

    public ?string $key = null;

    public function __construct(
        public readonly string $id,
        public readonly string $deviceId = 'pc-1-2026-01-01',
        public readonly string $name = 'GLPI-Agent',
    ) {
    }

    public function firstMessage(): string
    {
        return self::json(['action' => 'register', 'deviceid' => $this->deviceId, 'port' => 62354, 'name' => $this->name, 'version' => '1.12']);
    }

    /** The answer to a challenge: RegisterAgent's, or any other text (a failure). */
    public static function answerMessage(string $answer): string
    {
        return self::json(['action' => 'register', 'challenge' => $answer]);
    }

    public function contact(): string
    {
        return self::json(['action' => 'contact', 'deviceid' => $this->deviceId, 'name' => $this->name, 'version' => '1.12', 'installed-tasks' => ['inventory']]);
    }

    /**
     * Headers and body of $json: sealed under the agent's key once it has one.
     *
     * @return array{0: array<string, string>, 1: string}
     */
    public function request(string $json): array
    {
        $headers = ['User-Agent' => 'GLPI-Agent_v1.12', 'GLPI-Agent-ID' => $this->id, 'Pragma' => 'no-cache'];
        if ($this->key === null) {
            return [$headers + ['Content-Type' => 'application/json'], $json];
        }
        $headers += ['Content-Type' => self::ENCRYPTED, 'GLPI-CryptoKey-ID' => $this->id];
        return [$headers, seal_message($json, 'application/json', $this->key, $this->id)];
    }

    public function post(int|string $target, string $json): HttpAnswer
    {
        [$headers, $body] = $this->request($json);
        return EndpointServer::send($target, 'POST', $headers, $body);
    }

    /** @return array<string, mixed> the answer's JSON, opened when it came sealed */
    public function open(HttpAnswer $answer): array
    {
        if ($answer->contentType() !== self::ENCRYPTED) {
            return $answer->json();
        }
        Assert::assertNotNull($this->key, 'a sealed answer to an agent without key');
        $opened = open_message($answer->body, (string) $this->key, $this->id);
        return json_decode($opened['body'], true, 512, JSON_THROW_ON_ERROR);
    }

    /** Sends the first message to $target (EndpointServer::send()); returns the challenge. */
    public function askChallenge(int|string $target): string
    {
        $answer = $this->post($target, $this->firstMessage());
        Assert::assertSame(200, $answer->status, 'first REGISTER message: ' . $answer->plain());
        $json = $this->open($answer);
        Assert::assertSame('pending', $json['status']);
        return (string) $json['challenge'];
    }

    /**
     * The agent's side of a registered answer: the new session key becomes the agent's.
     *
     * @param array{answer: string, state: string} $mine RegisterAgent::answer()
     */
    public function finish(string $token, array $mine, HttpAnswer $answer): void
    {
        Assert::assertSame(200, $answer->status, 'REGISTER answer: ' . $answer->plain());
        $json = $this->open($answer);
        Assert::assertSame('registered', $json['status'], json_encode($json));
        $this->key = RegisterAgent::finish($token, $mine['state'], $json['challenge'], $json['crypto'] ?? null);
        Assert::assertSame(16, strlen((string) $this->key));
    }

    /** The whole registration: the first message to $first, the answer to $answerTo. */
    public function register(string $token, int|string $first, int|string|null $answerTo = null): void
    {
        $mine = RegisterAgent::answer($token, $this->id, $this->askChallenge($first));
        $this->finish($token, $mine, $this->post($answerTo ?? $first, self::answerMessage($mine['answer'])));
    }

    /** @param array<string, mixed> $message */
    public static function json(array $message): string
    {
        return json_encode($message, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }
}
