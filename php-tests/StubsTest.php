<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use PHPUnit\Framework\TestCase;

final class StubsTest extends TestCase
{
    public function testCommittedStubsMatchTheLoadedExtension(): void
    {
        $generated = shell_exec(php_with_extension() . ' ' . escapeshellarg(PROJECT_ROOT . '/scripts/gen-stubs.php'));
        $this->assertIsString($generated);
        $this->assertStringEqualsFile(
            PROJECT_ROOT . '/stubs/glpi_agent_protocol.stubs.php',
            $generated,
            'stubs drifted from the extension: run make stubs'
        );
    }

    public function testEveryContractClassAndFunctionIsInTheStubs(): void
    {
        $stubs = file_get_contents(PROJECT_ROOT . '/stubs/glpi_agent_protocol.stubs.php');
        $ext = new \ReflectionExtension('glpi_agent_protocol');
        foreach ($ext->getClasses() as $class) {
            $this->assertStringContainsString('class ' . $class->getShortName(), $stubs);
        }
        foreach ($ext->getFunctions() as $function) {
            $this->assertStringContainsString('function ' . $function->getShortName() . '(', $stubs);
        }
    }
}
