<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

use GlpiAgentEndpoint\Terminal;

/**
 * What the simulator prints: every exchange in full, or one line each with --quiet. Text
 * that came from the server (status line, headers, body, error messages) goes through
 * Terminal::text(): the server is not trusted to keep escape sequences off the terminal.
 */
final class Printer
{
    public function __construct(private bool $quiet)
    {
    }

    /** The simulator's own comments on the run, left out with --quiet. */
    public function say(string $text): void
    {
        if (!$this->quiet) {
            echo $text;
        }
    }

    /** @param list<string> $steps */
    public function start(?string $agentId, string $deviceId, string $encoding, array $steps): void
    {
        $this->say(sprintf("agent %s, device %s, %s, %s\n\n", $agentId ?? '(legacy, no agent id)', $deviceId, $encoding, implode(' → ', $steps)));
    }

    public function exchange(Exchange $x): void
    {
        $plain = $x->answerPlain;
        $kind = $x->answerJson() !== null ? 'JSON' : (str_starts_with(ltrim($plain), '<') ? 'XML' : 'bytes');
        $result = $x->transportError !== null ? 'no answer' : sprintf('%d %s', $x->status, Terminal::text($x->reason));
        if ($this->quiet) {
            printf(
                "%-22s %-4s %-38s %8s B -> %-26s %6s B %7.1f ms  %s\n",
                $x->step, $x->method, ($x->innerType === null ? '' : 'sealed ') . ($x->innerType ?? $x->requestHeaders['Content-Type'] ?? '-'), number_format($x->rawSize),
                $result, number_format($x->answerRawSize), $x->ms, Terminal::text(self::oneLine($plain))
            );
            return;
        }
        $title = "── {$x->step} ";
        echo $title . str_repeat('─', max(3, 78 - mb_strlen($title))) . "\n";
        echo "→ {$x->method} {$x->url}\n";
        foreach ($x->requestHeaders as $n => $v) {
            if (!in_array($n, ['Connection', 'User-Agent', 'Pragma', 'Authorization'], true)) {
                echo "  $n: $v\n";
            }
        }
        if ($x->method === 'POST') {
            printf(
                "  body: %s B on the wire%s, %s B of %s\n",
                number_format($x->rawSize),
                $x->innerType === null ? '' : " (encrypted; inside: {$x->innerType})",
                number_format($x->plainSize),
                strtoupper($x->plainKind)
            );
        }
        if ($x->transportError !== null) {
            // PHP's message quotes the server's status line when that is all it got.
            echo '← no answer: ' . Terminal::text($x->transportError) . "\n\n";
            return;
        }
        printf("← %s in %.1f ms\n", $result, $x->ms);
        foreach ($x->answerHeaders as $n => $v) {
            if (in_array(strtolower($n), ['content-type', 'glpi-agent-id', 'glpi-request-id', 'glpi-cryptokey-id', 'www-authenticate', 'allow'], true)) {
                echo '  ' . Terminal::text($n) . ': ' . Terminal::text($v) . "\n";
            }
        }
        printf(
            "  body: %s B on the wire%s, %s B of %s\n",
            number_format($x->answerRawSize),
            $x->answerInnerType === null ? '' : ' (encrypted; inside: ' . Terminal::text($x->answerInnerType) . ')',
            number_format(strlen($plain)),
            $kind
        );
        if ($x->decodeError !== null) {
            echo '  ! ' . Terminal::text($x->decodeError) . "\n";
        }
        if ($plain !== '') {
            $shown = $kind === 'JSON'
                ? json_encode(json_decode($plain), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
                : trim($plain);
            if (strlen($shown) > 2000) {
                $shown = mb_strcut($shown, 0, 2000, 'UTF-8') . '…';
            }
            // Line by line: the answer's own line breaks stay line breaks, indented.
            echo '  ' . implode("\n  ", array_map([Terminal::class, 'text'], explode("\n", $shown))) . "\n";
        }
        echo "\n";
    }

    /**
     * The JSON summary (--summary-json). json_encode() writes every control and non-ASCII
     * character of the answers as \uNNNN: nothing of the server reaches the terminal raw.
     *
     * @param list<Exchange> $exchanges
     */
    public function summary(?string $agentId, string $deviceId, string $encoding, bool $ok, array $exchanges): void
    {
        echo json_encode([
            'agentid' => $agentId,
            'deviceid' => $deviceId,
            'compression' => $encoding,
            'ok' => $ok,
            'exchanges' => array_map(fn (Exchange $x): array => [
                'step' => $x->step, 'method' => $x->method, 'status' => $x->status,
                'request_bytes' => $x->rawSize, 'plain_bytes' => $x->plainSize,
                'answer_bytes' => $x->answerRawSize, 'answer' => $x->answerJson() ?? $x->answerPlain,
                'ms' => round($x->ms, 2), 'ok' => $x->ok(),
            ], $exchanges),
        ], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
    }

    private static function oneLine(string $s): string
    {
        $s = trim(preg_replace('/\s+/', ' ', $s) ?? '');
        return strlen($s) > 90 ? mb_strcut($s, 0, 90, 'UTF-8') . '…' : $s;
    }
}
