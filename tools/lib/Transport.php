<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

use GlpiAgentProtocol\ProtocolException;

use function GlpiAgentProtocol\decompress;
use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;

/**
 * HTTP to the endpoint: basic authentication, TLS, the encrypted envelope both ways once
 * a session key is held (docs/encrypted-exchanges.md), and the answer decompressed.
 */
final class Transport
{
    /** The session key from REGISTER: requests are sealed with it, answers opened. */
    private ?string $key = null;
    /** @var array<string, int> message ids of the server answers opened, until when they are kept */
    private array $seenAnswers = [];

    public function __construct(private Settings $settings, private ?string $agentId)
    {
    }

    public function useKey(?string $key): void
    {
        $this->key = $key;
    }

    public function hasKey(): bool
    {
        return $this->key !== null;
    }

    /**
     * A POST of $body (already compressed), sealed when this agent holds a key and is not
     * told to send plain requests.
     *
     * @param array<string, string> $headers
     */
    public function post(string $step, array $headers, string $body): Exchange
    {
        $innerType = null;
        if ($this->key !== null && $this->agentId !== null && !$this->settings->plain) {
            // Compressed first, then sealed: ciphertext does not compress.
            $innerType = $headers['Content-Type'];
            $body = seal_message($body, $innerType, $this->key, $this->agentId);
            $headers['Content-Type'] = 'application/x-glpi-encrypted';
            $headers['GLPI-CryptoKey-ID'] = $this->agentId;
        }
        $x = $this->http($step, 'POST', $headers, $body);
        $x->innerType = $innerType;
        return $x;
    }

    /** @param array<string, string> $headers */
    public function get(string $step, array $headers): Exchange
    {
        return $this->http($step, 'GET', $headers, '');
    }

    /** TLS options: the server checked against --ca-cert-file, our certificate presented once we have one. */
    private function tls(): array
    {
        $tls = ['verify_peer' => true, 'verify_peer_name' => true];
        if ($this->settings->caCertFile !== null) {
            $tls['cafile'] = $this->settings->caCertFile;
        }
        $file = $this->settings->certFile;
        if ($file !== null && str_contains((string) @file_get_contents($file), 'BEGIN CERTIFICATE')) {
            $tls['local_cert'] = $file;
        }
        return $tls;
    }

    /** @param array<string, string> $headers */
    private function http(string $step, string $method, array $headers, string $body): Exchange
    {
        $x = new Exchange();
        $x->step = $step;
        $x->method = $method;
        $x->url = $this->settings->server;
        if ($this->settings->user !== null) {
            $headers['Authorization'] = 'Basic ' . base64_encode($this->settings->user . ':' . ($this->settings->password ?? ''));
        }
        $headers['Connection'] = 'close';
        $x->requestHeaders = $headers;
        $x->rawSize = strlen($body);
        $lines = [];
        foreach ($headers as $n => $v) {
            $lines[] = "$n: $v";
        }
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $lines),
            'content' => $body,
            'ignore_errors' => true,
            'follow_location' => 0,
            'protocol_version' => 1.1,
            'timeout' => 120,
        ], 'ssl' => $this->tls()]);
        $started = hrtime(true);
        $answer = @file_get_contents($x->url, false, $context);
        $x->ms = (hrtime(true) - $started) / 1e6;
        $responseHeaders = $http_response_header ?? [];
        if ($answer === false || $responseHeaders === []) {
            $x->transportError = error_get_last()['message'] ?? 'no answer';
            return $x;
        }
        if (preg_match('#^HTTP/\S+\s+(\d{3})\s*(.*)$#', $responseHeaders[0], $m)) {
            $x->status = (int) $m[1];
            $x->reason = trim($m[2]);
        }
        foreach (array_slice($responseHeaders, 1) as $line) {
            if (str_contains($line, ':')) {
                [$n, $v] = explode(':', $line, 2);
                $x->answerHeaders[trim($n)] = trim($v);
            }
        }
        $x->answerRawSize = strlen($answer);
        $type = strtolower(trim(explode(';', $x->answerHeader('Content-Type') ?? '', 2)[0]));
        if ($type === 'application/x-glpi-encrypted') {
            if ($this->key === null || $this->agentId === null) {
                $x->decodeError = 'an encrypted answer, but this agent holds no key';
                return $x;
            }
            try {
                $opened = open_message($answer, $this->key, $this->agentId);
            } catch (ProtocolException $e) {
                $x->decodeError = 'the encrypted answer does not open: ' . $e->getToken();
                return $x;
            }
            // A GET retry fetches the very answer already opened: only new POST answers count.
            $now = time();
            $this->seenAnswers = array_filter($this->seenAnswers, static fn (int $until): bool => $until >= $now);
            if ($method === 'POST' && isset($this->seenAnswers[$opened['message_id']])) {
                $x->decodeError = 'replayed answer: this message id was already seen';
                return $x;
            }
            $this->seenAnswers[$opened['message_id']] = $opened['keep_until'];
            $x->answerInnerType = $opened['content_type'];
            $answer = $opened['body'];
            $type = strtolower(trim(explode(';', $opened['content_type'], 2)[0]));
        }
        $encoding = array_search($type, Settings::ENCODING_TYPES, true);
        if ($encoding === false && in_array($type, ['application/x-zlib', 'application/x-gzip', 'application/x-deflate', 'application/x-br'], true)) {
            $encoding = substr($type, 14);
        }
        try {
            $x->answerPlain = $encoding === false ? $answer : decompress($answer, $encoding);
        } catch (\Throwable $e) {
            $x->decodeError = "cannot decode the $encoding answer: " . $e->getMessage();
            $x->answerPlain = '';
        }
        return $x;
    }
}
