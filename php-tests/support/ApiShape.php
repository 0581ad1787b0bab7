<?php
// The shape of a PHP API as Reflection sees it: classes (parent, interfaces, modifiers,
// constants, properties, methods) and functions (parameters with types, defaults and
// attributes; return type). StubsTest compares the extension's shape with the shape of the
// stub file loaded, without the extension, in a PHP of its own.
//
// Run as a script (`php -n ApiShape.php STUBS`) it loads STUBS and prints their shape as JSON.

declare(strict_types=1);

final class ApiShape
{
    /**
     * @param list<ReflectionClass<object>> $classes
     * @param list<ReflectionFunction> $functions
     * @return array{classes: array<string, mixed>, functions: array<string, mixed>}
     */
    public static function of(array $classes, array $functions): array
    {
        $out = ['classes' => [], 'functions' => []];
        foreach ($classes as $c) {
            $out['classes'][$c->getName()] = self::class_shape($c);
        }
        foreach ($functions as $f) {
            $out['functions'][$f->getName()] = self::function_shape($f);
        }
        ksort($out['classes']);
        ksort($out['functions']);
        return $out;
    }

    /** The shape of what a file declared in `$namespace`, after it was loaded. */
    public static function declaredIn(string $namespace): array
    {
        $prefix = strtolower($namespace) . '\\';
        $classes = array_map(
            fn ($n) => new ReflectionClass($n),
            array_values(array_filter(get_declared_classes(), fn ($n) => str_starts_with(strtolower($n), $prefix)))
        );
        $functions = array_map(
            fn ($n) => new ReflectionFunction($n),
            array_values(array_filter(get_defined_functions()['user'], fn ($n) => str_starts_with($n, $prefix)))
        );
        return self::of($classes, $functions);
    }

    private static function class_shape(ReflectionClass $c): array
    {
        $constants = [];
        foreach ($c->getReflectionConstants() as $k) {
            if ($k->getDeclaringClass()->getName() === $c->getName()) {
                $constants[$k->getName()] = var_export($k->getValue(), true);
            }
        }
        ksort($constants);
        $properties = [];
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() === $c->getName()) {
                $properties[$p->getName()] = [
                    'modifiers' => Reflection::getModifierNames($p->getModifiers()),
                    'type' => (string) $p->getType(),
                    'default' => $p->hasDefaultValue() ? var_export($p->getDefaultValue(), true) : null,
                ];
            }
        }
        ksort($properties);
        $methods = [];
        foreach ($c->getMethods() as $m) {
            if ($m->getDeclaringClass()->getName() === $c->getName()) {
                $methods[$m->getName()] = self::function_shape($m);
            }
        }
        ksort($methods);
        $interfaces = $c->getInterfaceNames();
        sort($interfaces);
        return [
            'parent' => $c->getParentClass() ? $c->getParentClass()->getName() : null,
            'interfaces' => $interfaces,
            'final' => $c->isFinal(),
            'abstract' => $c->isAbstract(),
            'interface' => $c->isInterface(),
            'constants' => $constants,
            'properties' => $properties,
            'methods' => $methods,
        ];
    }

    private static function function_shape(ReflectionFunctionAbstract $f): array
    {
        $params = [];
        foreach ($f->getParameters() as $p) {
            $default = null;
            if ($p->isDefaultValueAvailable()) {
                $default = $p->isDefaultValueConstant()
                    ? $p->getDefaultValueConstantName()
                    : var_export($p->getDefaultValue(), true);
            }
            $params[] = [
                'name' => $p->getName(),
                'type' => (string) $p->getType(),
                'optional' => $p->isOptional(),
                'default' => $default,
                'by_reference' => $p->isPassedByReference(),
                'variadic' => $p->isVariadic(),
                'attributes' => array_map(fn ($a) => $a->getName(), $p->getAttributes()),
            ];
        }
        $shape = [
            'parameters' => $params,
            'return' => (string) $f->getReturnType(),
            'by_reference' => $f->returnsReference(),
        ];
        if ($f instanceof ReflectionMethod) {
            $shape['modifiers'] = Reflection::getModifierNames($f->getModifiers());
        }
        return $shape;
    }
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    if (extension_loaded('glpi_agent_protocol')) {
        fwrite(STDERR, "load the stubs in a PHP without the extension (php -n)\n");
        exit(2);
    }
    require $argv[1];
    echo json_encode(ApiShape::declaredIn('GlpiAgentProtocol'), JSON_THROW_ON_ERROR | JSON_PRETTY_PRINT);
}
