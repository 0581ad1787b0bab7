<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

use GlpiAgentEndpoint\Terminal;
use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;

use function GlpiAgentProtocol\format_expiration;
use function GlpiAgentProtocol\parse_expiration;

/**
 * REGISTER (spec 6.1, 6.2 agent side): first message, answer to the challenge, then the
 * session key from the final answer.
 */
final class Registration
{
    public function __construct(private Agent $agent, private string $token, private ?string $tag, private string $encoding, private ?ClientKey $clientKey = null)
    {
    }

    /**
     * The new registration for the state file, or null when the server did not register
     * the agent (error, manual validation pending).
     *
     * @return array{key: ?string, registered_at: int, expires_at: int}|null
     */
    public function run(): ?array
    {
        $agent = $this->agent;
        $say = $agent->say(...);
        $csr = $this->clientKey?->request((string) $agent->agentId());
        $first = [
            'action' => 'register',
            'deviceid' => $agent->deviceId(),
            // This agent listens on no port (spec 6.1.1: 0 when not joinable).
            'port' => 0,
            'name' => 'GLPI-Agent-Simulator',
            'version' => '1.0',
        ];
        if ($this->tag !== null) {
            $first['tag'] = $this->tag;
        }
        if ($csr !== null) {
            $first['csr'] = $csr;
        }
        $x = $this->send('REGISTER', $first);
        $answer = $x->answerJson() ?? [];
        if ($agent->hasKey() && $x->status === 403 && in_array($answer['message'] ?? null, ['key expired', 'unknown cryptokey'], true)) {
            // The operator revoked the key or asked for a new registration: the token still
            // proves who we are, so register again in the clear.
            $say("  the server no longer takes this key: registering in the clear\n");
            $x->handled = true;
            $agent->useKey(null);
            $x = $this->send('REGISTER', $first);
            $answer = $x->answerJson() ?? [];
        }
        if (($answer['status'] ?? null) !== 'pending' || ($answer['needs'] ?? null) !== 'token-validation' || !is_string($answer['challenge'] ?? null)) {
            $say("  not registered: the server asked for no token validation\n\n");
            return null;
        }
        try {
            $mine = RegisterAgent::answer($this->token, (string) $agent->agentId(), $answer['challenge']);
        } catch (ProtocolException $e) {
            // Wrong token on either side, or a challenge for another agent: say so (spec 6.2.2).
            $say("  the challenge does not decrypt for this agent ({$e->getToken()}): answering failure\n");
            $this->giveUp();
            return null;
        }
        $x = $this->send('REGISTER (challenge)', ['action' => 'register', 'challenge' => $mine['answer']]);
        $final = $x->answerJson() ?? [];
        if (($final['status'] ?? null) !== 'registered') {
            $why = ($final['status'] ?? '') === 'pending' ? 'waiting for ' . ($final['needs'] ?? 'the server') : ($final['message'] ?? 'no answer');
            $say('  not registered: ' . Terminal::text($why) . "\n\n");
            return null;
        }
        try {
            $key = RegisterAgent::finish($this->token, $mine['state'], (string) ($final['challenge'] ?? ''), $final['crypto'] ?? null);
        } catch (ProtocolException $e) {
            // The server did not prove it knows the token: its key cannot be trusted.
            $say("  the server's final challenge does not check out ({$e->getToken()}): answering failure\n");
            $this->giveUp();
            return null;
        }
        if ($this->clientKey !== null && is_string($final['certificate'] ?? null)) {
            $this->clientKey->saveCertificate($final['certificate']);
            $parsed = openssl_x509_parse($final['certificate']);
            $say(sprintf("  client certificate received (serial %s, until %s UTC), written after its key to %s\n",
                Terminal::text(strtolower($parsed['serialNumberHex'] ?? '?')), gmdate('Y-m-d H:i:s', (int) ($parsed['validTo_time_t'] ?? 0)), $this->clientKey->file));
        }
        $lifetime = parse_expiration($final['expiration'] ?? '1d');
        $now = time();
        $say(sprintf(
            "  registered for %s: %s; registering again after %s\n\n",
            format_expiration($lifetime),
            $key === null ? 'the server sends no key, requests stay plain' : 'session key received (16 bytes, kept in the state file)',
            gmdate('Y-m-d H:i:s', $now + intdiv($lifetime, 2)) . ' UTC'
        ));
        return ['key' => $key === null ? null : bin2hex($key), 'registered_at' => $now, 'expires_at' => $now + $lifetime];
    }

    private function send(string $step, array $message): Exchange
    {
        return $this->agent->send($step, Messages::json($message), 'json', $this->encoding, false);
    }

    /** Spec 6.1.3: an agent that cannot go on with the challenge says so. */
    private function giveUp(): void
    {
        $this->send('REGISTER (failure)', ['action' => 'register', 'challenge' => 'failure']);
    }
}
