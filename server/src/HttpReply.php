<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * One HTTP answer: status, headers, body. Made from a GlpiAgentProtocol\Response when the
 * extension encoded it, or directly for answers that exist before any request is decoded.
 */
final class HttpReply
{
    /** @var object|null the GlpiAgentProtocol\Response this reply came from, when sent as is */
    private ?object $response;

    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
        ?object $response = null,
    ) {
        $this->response = $response;
    }

    /**
     * @param object $response a GlpiAgentProtocol\Response
     * @param array<string, string> $extraHeaders
     */
    public static function fromResponse(object $response, ?int $status = null, array $extraHeaders = []): self
    {
        $headers = [];
        foreach ($response->headers() as $name => $value) {
            // Accept both ['Name' => 'value'] and ['Name: value'] shapes.
            if (is_int($name)) {
                [$name, $value] = array_map('trim', explode(':', (string) $value, 2)) + [1 => ''];
            }
            $headers[(string) $name] = is_array($value) ? implode(', ', $value) : (string) $value;
        }
        $untouched = ($status === null || $status === $response->status()) && $extraHeaders === [];
        return new self(
            $status ?? $response->status(),
            array_replace($headers, $extraHeaders),
            $response->body(),
            $untouched ? $response : null
        );
    }

    public function header(string $name): ?string
    {
        foreach ($this->headers as $n => $v) {
            if (strcasecmp($n, $name) === 0) {
                return $v;
            }
        }
        return null;
    }

    /** Sends the reply. Any output buffered before (a stray newline, a BOM) is dropped. */
    public function emit(): void
    {
        if ($this->response !== null) {
            $this->response->send();
            return;
        }
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        header_remove();
        http_response_code($this->status);
        foreach ($this->headers as $name => $value) {
            header("$name: $value");
        }
        if ($this->header('Content-Length') === null) {
            header('Content-Length: ' . strlen($this->body));
        }
        echo $this->body;
    }
}
