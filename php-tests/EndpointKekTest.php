<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/TestAgent.php';

/**
 * The KEK file against the store (server/src/Kek.php), through HTTP and tools/admin.php:
 * a KEK is created only for a store that holds nothing wrapped; a missing, replaced or
 * world-readable KEK in front of one that does is answered 503 "busy server" with a log
 * line naming the file, and neither the file nor the store is changed.
 */
final class EndpointKekTest extends EndpointTestCase
{
    protected static function serverEnv(): array
    {
        return ['GAP_REGISTER' => 'token', 'GAP_KEK_FILE' => self::kekFile()];
    }

    private static function kekFile(): string
    {
        // A directory the endpoint has to create, as on a first installation.
        return self::classDirectory() . '/keys/kek.bin';
    }

    protected function setUp(): void
    {
        parent::setUp();
        // Each test starts as a first installation: an empty store and no KEK file.
        if (is_file(self::kekFile())) {
            unlink(self::kekFile());
        }
    }

    /** @return array{0: int, 1: string, 2: string} */
    private static function admin(string ...$args): array
    {
        return self::runTool('admin.php', self::storeSettings() + ['GAP_KEK_FILE' => self::kekFile()], ...$args);
    }

    private function createToken(): string
    {
        [$code, $out, $err] = self::admin('token', 'create');
        $this->assertSame(0, $code, $err);
        $this->assertMatchesRegularExpression('/^token \d+: ([0-9a-f-]{36})$/m', $out);
        preg_match('/^token \d+: ([0-9a-f-]{36})$/m', $out, $m);
        return $m[1];
    }

    /** The rows of every table, the KEK's check value included, and the KEK file. */
    private function state(): array
    {
        clearstatcache();
        $file = self::kekFile();
        return [
            'store' => $this->store->snapshot(),
            'kek_check' => $this->store->pdo()->query('SELECT * FROM kek_check')->fetchAll(),
            'kek_file' => is_file($file) ? [fileperms($file) & 0777, hash_file('sha256', $file)] : null,
        ];
    }

    /** A registered agent whose sealed CONTACT is served: the state every test breaks. */
    private function registeredAgent(): TestAgent
    {
        $agent = new TestAgent(self::AGENT_ID);
        $agent->register($this->createToken(), self::$server->port());
        $this->assertSame(200, $agent->post(self::$server->port(), $agent->contact())->status);
        return $agent;
    }

    private function assertBusy(HttpAnswer $answer, array $before, string $logged): void
    {
        $this->assertSame(503, $answer->status, $answer->plain());
        $this->assertSame('busy server', $answer->token());
        $this->assertSame('30m', $answer->json()['expiration'], 'busy_expiration: the agent keeps its data and comes back');
        $this->assertSame($before, $this->state(), 'neither the store nor the KEK file may change');
        $this->assertStringContainsString('kek_file ' . self::kekFile() . ' ' . $logged, self::$server->log());
    }

    /** Both the sealed requests of a registered agent and a new registration are refused. */
    private function assertAgentsAreRefused(TestAgent $agent, string $logged): void
    {
        $before = $this->state();
        $this->assertBusy($agent->post(self::$server->port(), $agent->contact()), $before, $logged);
        $newcomer = new TestAgent(self::OTHER_ID);
        $this->assertBusy($newcomer->post(self::$server->port(), $newcomer->firstMessage()), $before, $logged);
        [$code, , $err] = self::admin('token', 'create');
        $this->assertSame(1, $code);
        $this->assertStringContainsString('kek_file ' . self::kekFile() . ' ' . $logged, $err);
        $this->assertSame($before, $this->state(), 'admin token create adds no token');
    }

    public function testTheFirstKekIsCreatedPrivateForAnEmptyStoreAndChecked(): void
    {
        $this->assertDirectoryDoesNotExist(dirname(self::kekFile()));
        $this->assertSame([], $this->state()['kek_check']);
        $this->registeredAgent();
        $state = $this->state();
        $this->assertSame(0600, $state['kek_file'][0]);
        $this->assertSame(16, filesize(self::kekFile()));
        $this->assertSame(0700, fileperms(dirname(self::kekFile())) & 0777);
        $this->assertCount(1, $state['kek_check'], 'the check value is stored with the first wrapped token');
        $this->assertSame(24, strlen((string) hex2bin($state['kek_check'][0]['wrapped_check'])));
    }

    public function testAMissingKekIsNotReplacedWhileTheStoreHoldsWrappedKeys(): void
    {
        $agent = $this->registeredAgent();
        $kek = (string) file_get_contents(self::kekFile());
        unlink(self::kekFile());

        $this->assertAgentsAreRefused($agent, 'is missing, but the store holds tokens or keys wrapped under a KEK');
        $this->assertFileDoesNotExist(self::kekFile());

        // Restored from its backup, the same KEK serves the same agent again.
        file_put_contents(self::kekFile(), $kek);
        chmod(self::kekFile(), 0600);
        $answer = $agent->post(self::$server->port(), $agent->contact());
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame('ok', $agent->open($answer)['status']);
    }

    public function testAnotherKekIsRefusedInsteadOfFailingEveryDecryption(): void
    {
        $agent = $this->registeredAgent();
        $kek = (string) file_get_contents(self::kekFile());
        file_put_contents(self::kekFile(), random_bytes(16));

        $this->assertAgentsAreRefused($agent, "is not the KEK the store's tokens and keys are wrapped under");

        file_put_contents(self::kekFile(), $kek);
        $this->assertSame(200, $agent->post(self::$server->port(), $agent->contact())->status);
    }

    public function testAKekReadableByGroupOrOthersIsRefused(): void
    {
        $agent = $this->registeredAgent();
        foreach ([0644, 0640, 0604, 0660] as $mode) {
            chmod(self::kekFile(), $mode);
            $this->assertAgentsAreRefused($agent, sprintf('has mode %04o: it must be readable by its owner only', $mode));
        }
        chmod(self::kekFile(), 0600);
        $this->assertSame(200, $agent->post(self::$server->port(), $agent->contact())->status);
    }

    public function testAStoreWrittenBeforeTheCheckValueIsCheckedAgainstItsOwnTokens(): void
    {
        $this->createToken();
        $this->store->pdo()->exec('DELETE FROM kek_check');
        $kek = (string) file_get_contents(self::kekFile());
        file_put_contents(self::kekFile(), random_bytes(16));
        $agent = new TestAgent(self::AGENT_ID);
        $before = $this->state();
        $this->assertBusy($agent->post(self::$server->port(), $agent->firstMessage()), $before, 'is not the KEK');
        $this->assertSame([], $this->state()['kek_check'], 'no check value is stored under a wrong KEK');

        file_put_contents(self::kekFile(), $kek);
        $agent->askChallenge(self::$server->port());
        $this->assertCount(1, $this->state()['kek_check'], 'the right KEK is recorded once it unwrapped the token');
    }
}
