<?php
// Assertions and fixtures shared by the PHPUnit classes (not a test class itself: PHPUnit only
// collects *Test.php files).

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;

trait ProtocolAssertions
{
    /**
     * Runs $fn and asserts it throws a ProtocolException with this HTTP status and one of
     * these tokens; returns the exception for further checks.
     *
     * @param string|list<string> $tokens
     */
    private function assertProtocolError(int $status, string|array $tokens, callable $fn, string $message = ''): ProtocolException
    {
        try {
            $fn();
        } catch (ProtocolException $e) {
            $tokens = (array) $tokens;
            $this->assertSame($status, $e->getCode(), $message . ': status of "' . $e->getToken() . '"');
            $this->assertContains($e->getToken(), $tokens, $message);
            $this->assertSame('error', $e->getAnswer()['status']);
            $this->assertSame($e->getToken(), $e->getAnswer()['message']);
            return $e;
        }
        $this->fail(($message !== '' ? "$message: " : '') . 'no ProtocolException thrown, expected ' . implode(' or ', (array) $tokens));
    }

    /** Runs $fn and asserts it throws \ValueError (caller misuse), never a ProtocolException. */
    private function assertValueError(callable $fn, string $message = ''): \ValueError
    {
        try {
            $fn();
        } catch (\ValueError $e) {
            $this->addToAssertionCount(1);
            return $e;
        } catch (\Throwable $e) {
            $this->fail(($message !== '' ? "$message: " : '') . 'expected \ValueError, got ' . get_class($e) . ': ' . $e->getMessage());
        }
        $this->fail(($message !== '' ? "$message: " : '') . 'no \ValueError thrown');
    }

    private static function data(string $relative): string
    {
        $path = PROJECT_ROOT . '/tests/data/' . $relative;
        $bytes = file_get_contents($path);
        if ($bytes === false) {
            throw new \RuntimeException("missing test data $path");
        }
        return $bytes;
    }

    /** A captured glpi-agent inventory (2,040 bytes of JSON). */
    private static function inventoryJson(): string
    {
        return self::data('wire/glpi-agent/04-inventory-partial.request.json');
    }

    /** Deterministic incompressible bytes: a SHA-256 counter stream. */
    private static function noise(int $length, string $seed = 'noise'): string
    {
        $out = '';
        for ($i = 0; strlen($out) < $length; $i++) {
            $out .= hash('sha256', $seed . $i, true);
        }
        return substr($out, 0, $length);
    }
}
