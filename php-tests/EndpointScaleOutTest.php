<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\RegisterAgent;

use function GlpiAgentProtocol\unwrap_key;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/FpmCluster.php';
require_once __DIR__ . '/support/TestAgent.php';

/**
 * Two endpoint instances, each its own php-fpm master and pool, on one database, one KEK
 * file and the same settings, as a site outgrowing one server runs them behind a load
 * balancer (docs/endpoint.md, "Scaling out"): what one instance stores the other honours,
 * and a race between them is settled by the database. Runs on the tests' store: SQLite, and
 * MariaDB under scripts/test-peers.sh. Skipped without php-fpm and nginx, unless
 * GAP_REQUIRE_PEERS=1 (scripts/test-peers.sh installs them and sets that).
 */
final class EndpointScaleOutTest extends EndpointTestCase
{
    /** Rounds of the concurrent answers: each a fresh agent racing its answer on both instances. */
    private const RACES = 4;

    private static ?FpmCluster $cluster = null;

    protected static function serverEnv(): array
    {
        return self::sharedSettings();
    }

    /** @return array<string, string> what every instance shares: store, KEK file, settings */
    private static function sharedSettings(): array
    {
        // The inventories here are minimal messages, not inventory_format documents.
        return self::storeSettings() + ['GAP_REGISTER' => 'token', 'GAP_KEK_FILE' => self::classDirectory() . '/kek.bin', 'GAP_VALIDATION' => 'off'];
    }

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        $missing = FpmCluster::missing();
        if ($missing !== null) {
            if (getenv('GAP_REQUIRE_PEERS') === '1') {
                self::fail($missing);
            }
            self::markTestSkipped($missing);
        }
        $dir = self::classDirectory() . '/cluster';
        mkdir($dir, 0700);
        self::$cluster = new FpmCluster(self::sharedSettings(), 2, $dir);
    }

    public static function tearDownAfterClass(): void
    {
        self::$cluster?->stop();
        self::$cluster = null;
        parent::tearDownAfterClass();
    }

    protected function tearDown(): void
    {
        if ($this->hasFailed() && self::$cluster !== null) {
            fwrite(STDERR, "\ninstance logs:\n" . substr(self::$cluster->logs(), -3000) . "\n");
        }
        parent::tearDown();
    }

    private function token(): string
    {
        [$code, $out, $err] = self::runTool('admin.php', self::sharedSettings(), 'token', 'create');
        $this->assertSame(0, $code, $err);
        preg_match('/^token \d+: ([0-9a-f-]{36})$/m', $out, $m);
        return $m[1];
    }

    private static function a(): string
    {
        return self::$cluster->address(0);
    }

    private static function b(): string
    {
        return self::$cluster->address(1);
    }

    /** The agent's session key as the store holds it, unwrapped with the shared KEK file. */
    private function storedKeys(string $agentId): array
    {
        $stmt = $this->store->pdo()->prepare('SELECT wrapped_key FROM agent_keys WHERE agent_uuid = ?');
        $stmt->execute([$agentId]);
        $kek = (string) file_get_contents(self::sharedSettings()['GAP_KEK_FILE']);
        return array_map(static fn (string $hex): string => unwrap_key((string) hex2bin($hex), $kek), $stmt->fetchAll(\PDO::FETCH_COLUMN));
    }

    private function events(string $agentId): array
    {
        return array_values(array_map(
            static fn (array $e): string => $e['event'],
            array_filter($this->store->snapshot()['register_events'], static fn (array $e): bool => $e['agent_uuid'] === $agentId)
        ));
    }

    public function testAChallengeIssuedByOneInstanceIsVerifiedByTheOther(): void
    {
        $token = $this->token();
        $agent = new TestAgent(self::AGENT_ID);
        $agent->register($token, self::a(), self::b());

        $this->assertSame([$agent->key], $this->storedKeys(self::AGENT_ID), 'the key B issued is the one the agent holds');
        $this->assertSame([], $this->store->snapshot()['register_challenges'], 'the challenge A stored was used up by B');
        $this->assertSame(['registered'], $this->events(self::AGENT_ID));
        // Either instance opens the agent's requests with the key and the shared KEK.
        foreach ([self::a(), self::b()] as $instance) {
            $answer = $agent->post($instance, $agent->contact());
            $this->assertSame(200, $answer->status, $answer->plain());
            $this->assertSame('ok', $agent->open($answer)['status']);
        }
        $this->assertCount(2, $this->store->snapshot()['seen_messages']);
    }

    public function testASealedMessageReplayedToTheOtherInstanceIsRefused(): void
    {
        $agent = new TestAgent(self::AGENT_ID);
        $agent->register($this->token(), self::a());
        $inventory = TestAgent::json(['action' => 'inventory', 'deviceid' => $agent->deviceId, 'content' => ['hardware' => ['name' => 'pc-1']]]);
        [$headers, $sealed] = $agent->request($inventory);

        $answer = EndpointServer::send(self::a(), 'POST', $headers, $sealed);
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertCount(1, $this->store->inventories());

        $before = $this->store->snapshot();
        $replay = EndpointServer::send(self::b(), 'POST', $headers, $sealed);
        $this->assertRefused($replay, 400, 'replayed message', $before);
        $this->assertCount(1, $this->store->inventories(), 'the replayed inventory is not stored twice');

        // A new message sent to both at once: one stores it, the other refuses the copy.
        [$headers, $sealed] = $agent->request($inventory);
        $answers = EndpointServer::sendAll([[self::a(), 'POST', $headers, $sealed], [self::b(), 'POST', $headers, $sealed]]);
        $statuses = array_map(static fn (HttpAnswer $a): int => $a->status, $answers);
        sort($statuses);
        $this->assertSame([200, 400], $statuses);
        $this->assertSame('replayed message', ($answers[0]->status === 400 ? $answers[0] : $answers[1])->token());
        $this->assertCount(2, $this->store->inventories());
    }

    public function testInstancesCheckingTheKekAtOnceAgreeOnOneCheckValue(): void
    {
        $this->token();
        $agents = [new TestAgent(self::AGENT_ID), new TestAgent(self::OTHER_ID)];
        for ($round = 0; $round < self::RACES; $round++) {
            // A store written before the check value existed: the first instance to unwrap
            // its token stores one, and the other must accept it, not take it for a rival KEK.
            $this->store->pdo()->exec('DELETE FROM kek_check');
            // Each round's first messages are new challenges; the agents' earlier ones would
            // reach the per-agent cap of pending challenges.
            $this->store->pdo()->exec('DELETE FROM register_challenges');
            $answers = EndpointServer::sendAll(array_map(
                static fn (TestAgent $agent, string $instance): array => [$instance, 'POST', ...$agent->request($agent->firstMessage())],
                $agents,
                [self::a(), self::b()]
            ));
            foreach ($answers as $i => $answer) {
                $this->assertSame(200, $answer->status, "round $round, instance $i: " . $answer->plain());
            }
            $this->assertCount(1, $this->store->pdo()->query('SELECT * FROM kek_check')->fetchAll());
        }
    }

    public function testAnInstanceWithoutTheSharedKekIsRefusedByTheStore(): void
    {
        $agent = new TestAgent(self::AGENT_ID);
        $agent->register($this->token(), self::a());
        $other = self::classDirectory() . '/other-kek.bin';
        $cases = [
            'no KEK file' => 'is missing, but the store holds tokens or keys wrapped under a KEK',
            'a KEK of its own' => "is not the KEK the store's tokens and keys are wrapped under",
        ];
        foreach ($cases as $case => $logged) {
            if ($case === 'a KEK of its own') {
                file_put_contents($other, random_bytes(16));
                chmod($other, 0600);
            }
            $instance = new EndpointServer(['GAP_KEK_FILE' => $other] + self::sharedSettings());
            try {
                $before = $this->store->snapshot();
                $answer = $agent->post($instance->port(), $agent->contact());
                $this->assertRefused($answer, 503, 'busy server', $before);
                $this->assertStringContainsString("kek_file $other $logged", $instance->log(), $case);
            } finally {
                $instance->stop();
            }
        }
        $this->assertSame(200, $agent->post(self::b(), $agent->contact())->status, 'the instances that share the KEK still serve');
    }

    public function testConcurrentAnswersToOneChallengeOnBothInstancesGiveExactlyOneKey(): void
    {
        $token = $this->token();
        for ($round = 0; $round < self::RACES; $round++) {
            $agent = new TestAgent(sprintf('5e0a1c2d-3b4f-4a6e-8d9c-%012x', $round));
            $mine = RegisterAgent::answer($token, $agent->id, $agent->askChallenge(self::a()));
            [$headers, $body] = $agent->request(TestAgent::answerMessage($mine['answer']));
            // Both requests are on the wire before either answer is read.
            $answers = EndpointServer::sendAll([[self::a(), 'POST', $headers, $body], [self::b(), 'POST', $headers, $body]]);

            $statuses = array_map(static fn (HttpAnswer $a): int => $a->status, $answers);
            sort($statuses);
            $this->assertSame([200, 403], $statuses, "round $round: one instance registers, the other refuses");
            $won = $answers[0]->status === 200 ? $answers[0] : $answers[1];
            $lost = $answers[0]->status === 200 ? $answers[1] : $answers[0];
            // Refused for its used-up challenge, or, when the other instance committed first,
            // because the agent now holds a key and must seal any new registration.
            $this->assertContains($lost->token(), ['challenge failed', 'encryption required']);
            $agent->finish($token, $mine, $won);

            $this->assertSame([$agent->key], $this->storedKeys($agent->id), "round $round: one key, the one the agent was sent");
            $this->assertSame(['registered'], $this->events($agent->id), "round $round: registered once");
            $this->assertSame(200, $agent->post(self::b(), $agent->contact())->status);
        }
    }
}
