<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\parse_expiration;

/**
 * The agent's side of one exchange as glpi-agent sends it (or FusionInventory when it has
 * no agent id): headers, compression, a "pending" answer asked again, and every exchange
 * printed and kept for the summary.
 */
final class Agent
{
    /** @var list<Exchange> */
    public array $exchanges = [];

    public function __construct(
        private Settings $settings,
        private Transport $transport,
        private Printer $printer,
        private ?string $agentId,
        private string $deviceId,
    ) {
    }

    public function useKey(?string $key): void
    {
        $this->transport->useKey($key);
    }

    public function hasKey(): bool
    {
        return $this->transport->hasKey();
    }

    public function deviceId(): string
    {
        return $this->deviceId;
    }

    public function agentId(): ?string
    {
        return $this->agentId;
    }

    public function say(string $text): void
    {
        $this->printer->say($text);
    }

    public function send(string $step, string $plain, string $kind, string $encoding, bool $retryPending = true): Exchange
    {
        $headers = [
            'Content-Type' => $encoding === 'none' ? "application/$kind" : Settings::ENCODING_TYPES[$encoding],
            'Pragma' => 'no-cache',
            'User-Agent' => $this->agentId === null ? 'FusionInventory-Agent-Simulator_v1.0' : 'GLPI-Agent-Simulator_v1.0',
        ];
        if ($this->agentId !== null) {
            $headers['GLPI-Agent-ID'] = $this->agentId;
            if ($this->settings->requestId) {
                $headers['GLPI-Request-ID'] = strtoupper(bin2hex(random_bytes(4)));
            }
        }
        $body = $encoding === 'none' ? $plain : compress($plain, $encoding);
        $x = $this->exchanges[] = $this->transport->post($step, $headers, $body);
        // As sent, sealed or not: a GET retry names the key it was sealed with.
        $headers = $x->requestHeaders;
        $x->plainSize = strlen($plain);
        $x->plainKind = $kind;
        $this->printer->exchange($x);

        // A proxy may answer "pending": ask again later by GET with the same request id.
        $tries = 0;
        while ($retryPending && ($x->answerJson()['status'] ?? null) === 'pending' && $tries++ < 5) {
            $wait = min(parse_expiration($x->answerJson()['expiration'] ?? '1s'), $this->settings->maxWait);
            $this->say("  pending: asking again in {$wait}s\n");
            sleep($wait);
            $x = $this->retry($step, $headers);
        }
        if ($this->settings->getRetry && isset($headers['GLPI-Request-ID']) && $x->answerJson() !== null) {
            $again = $this->retry($step . ' (GET retry)', $headers);
            $same = $again->answerJson() == $x->answerJson() && $again->status === $x->status;
            $this->say($same ? "  GET retry returned the same answer\n" : "  GET retry returned a DIFFERENT answer\n");
            if (!$same) {
                $again->decodeError = 'GET retry answer differs from the first answer';
            }
        }
        return $x;
    }

    /** @param array<string, string> $headers as the first request was sent */
    private function retry(string $step, array $headers): Exchange
    {
        $get = ['Pragma' => 'no-cache', 'User-Agent' => $headers['User-Agent']];
        foreach (['GLPI-Agent-ID', 'GLPI-Request-ID', 'GLPI-CryptoKey-ID'] as $name) {
            if (isset($headers[$name])) {
                $get[$name] = $headers[$name];
            }
        }
        $x = $this->exchanges[] = $this->transport->get($step, $get);
        $this->printer->exchange($x);
        return $x;
    }
}
