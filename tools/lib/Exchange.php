<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/** One HTTP request of the run and what came back. */
final class Exchange
{
    public string $step;
    public string $method;
    public string $url;
    /** @var array<string, string> */
    public array $requestHeaders = [];
    public int $rawSize = 0;
    public int $plainSize = 0;
    public string $plainKind = '';
    /** The content type inside the envelope, when the request was encrypted. */
    public ?string $innerType = null;
    public ?string $answerInnerType = null;
    public int $status = 0;
    public string $reason = '';
    /** @var array<string, string> */
    public array $answerHeaders = [];
    public int $answerRawSize = 0;
    public string $answerPlain = '';
    public ?string $decodeError = null;
    public float $ms = 0.0;
    public ?string $transportError = null;
    /** An error answer the agent handled by itself (e.g. a refused key, then a plain REGISTER). */
    public bool $handled = false;

    public function answerJson(): ?array
    {
        $data = json_decode($this->answerPlain, true);
        return is_array($data) ? $data : null;
    }

    public function ok(): bool
    {
        if ($this->handled) {
            return true;
        }
        if ($this->transportError !== null || $this->decodeError !== null || $this->status < 200 || $this->status >= 300) {
            return false;
        }
        $json = $this->answerJson();
        return $json === null || ($json['status'] ?? 'ok') !== 'error';
    }

    public function answerHeader(string $name): ?string
    {
        foreach ($this->answerHeaders as $n => $v) {
            if (strcasecmp($n, $name) === 0) {
                return $v;
            }
        }
        return null;
    }
}
