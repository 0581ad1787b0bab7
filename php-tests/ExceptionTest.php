<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;
use PHPUnit\Framework\TestCase;

final class ExceptionTest extends TestCase
{
    public function testProtocolExceptionIsARuntimeExceptionCarryingStatusAndToken(): void
    {
        $e = new ProtocolException('forbidden', 403, null, '1d');
        $this->assertInstanceOf(\RuntimeException::class, $e);
        $this->assertSame(403, $e->getCode());
        $this->assertSame('forbidden', $e->getToken());
        $this->assertSame('forbidden', $e->getMessage());
        $this->assertSame(['status' => 'error', 'message' => 'forbidden', 'expiration' => '1d'], $e->getAnswer());
        $this->assertSame(__FILE__, $e->getFile());
        $this->assertSame(__LINE__ - 7, $e->getLine());
    }

    public function testAnswerOmitsExpirationWhenNoneWasGiven(): void
    {
        $e = new ProtocolException('busy server', 503, 'the queue is full');
        $this->assertSame('the queue is full', $e->getMessage());
        $this->assertSame(['status' => 'error', 'message' => 'busy server'], $e->getAnswer());
    }

    public function testAStatusOutsideTheErrorRangeIsCallerMisuse(): void
    {
        $this->expectException(\ValueError::class);
        new ProtocolException('ok', 200);
    }

    public function testPhpCodeCanCatchItAsRuntimeException(): void
    {
        try {
            throw new ProtocolException('bad-format', 400);
        } catch (\RuntimeException $e) {
            $this->assertInstanceOf(ProtocolException::class, $e);
            $this->assertSame('bad-format', $e->getToken());
        }
    }
}
