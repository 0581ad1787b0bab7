<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/** A request as BaselineCodec decoded it, with the accessors of GlpiAgentProtocol\Request. */
final class BaselineRequest
{
    /** @param list<string> $proxyIds */
    public function __construct(
        private string $mode,
        private string $compression,
        private string $action,
        private ?string $deviceId,
        private ?string $agentId,
        private ?string $requestId,
        private array $proxyIds,
        private mixed $content,
        private string $body,
    ) {
    }

    public function mode(): string
    {
        return $this->mode;
    }

    public function compression(): string
    {
        return $this->compression;
    }

    public function action(): string
    {
        return $this->action;
    }

    public function deviceId(): ?string
    {
        return $this->deviceId;
    }

    public function agentId(): ?string
    {
        return $this->agentId;
    }

    public function requestId(): ?string
    {
        return $this->requestId;
    }

    /** @return list<string> */
    public function proxyIds(): array
    {
        return $this->proxyIds;
    }

    public function content(): mixed
    {
        return $this->content;
    }

    /** The baseline reads plain bodies only (REGISTER needs the extension). */
    public function isEncrypted(): bool
    {
        return false;
    }

    public function body(): string
    {
        return $this->body;
    }
}
