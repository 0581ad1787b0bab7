<?php
// Mutants of inventories for the validation tests, and GLPI's own verdict on them through
// the inventory_format library when it is present (never part of this project).

declare(strict_types=1);

final class ValidationCases
{
    /** Values that break one field or another: wrong types, bad words, GLPI's coercions. */
    public const BAD_VALUES = [
        null, true, false, 0, -1, 7, 12.0, 12.5, 1e3, 1e20, 1e300, -0.0,
        '', ' ', 'N', 'NVME', '42', ' 42 ', '+42', "42\n", '42.0', '007', '0x2A', '-0',
        '9223372036854775807', '9223372036854775808', 'yes', 'off', 'ON', 'No', 'true', '1', '0', '2',
        '2019-54-17', '2019-05-17', '2019-05-17 10:11:12', '2019-05-17T10:11:12Z', '17/05/2019',
        '1.2.3.4', '01.2.3.4', '256.1.1.1', '::1', 'fe80::1%eth0', '::ffff:1.2.3.4',
        'Computer', "Computer\n", "Computer\n\n", 'Toaster', 'x86_64', 'armv7l', 'z80',
        '+0100', 'up', 'UP', 'ethernet', 'used', 'enabled',
        [], [1, 'a'], ['a', 'b'],
    ];

    /** Where the oracle lives: beside the shared corpus. */
    public static function oracleAutoload(): ?string
    {
        $env = getenv('GAP_SHARED_ORACLE');
        $candidates = [$env ?: ''];
        // The extension suite's bootstrap finds the corpus; the endpoint suite has its own.
        $corpus = function_exists('shared_corpus') ? shared_corpus()
            : (getenv('GAP_SHARED_CORPUS') ?: dirname(__DIR__, 2) . '/../shared/corpus');
        if ($corpus !== null) {
            $candidates[] = dirname($corpus) . '/oracle/inventory_format';
        }
        foreach ($candidates as $dir) {
            if ($dir !== '' && is_file("$dir/autoload.php")) {
                return realpath("$dir/autoload.php");
            }
        }
        return null;
    }

    /** @return string[] pointer tokens */
    public static function tokens(string $pointer): array
    {
        if ($pointer === '') {
            return [];
        }
        return array_map(fn($t) => strtr($t, ['~1' => '/', '~0' => '~']), explode('/', substr($pointer, 1)));
    }

    public static function pointer(array $tokens): string
    {
        return implode('', array_map(fn($t) => '/' . strtr((string)$t, ['~' => '~0', '/' => '~1']), $tokens));
    }

    /** Every place of a decoded document (objects as stdClass), as token lists. */
    public static function places($doc, array $at = [], array &$out = []): array
    {
        if (is_object($doc)) {
            foreach (get_object_vars($doc) as $k => $v) {
                $p = array_merge($at, [(string)$k]);
                $out[] = $p;
                self::places($v, $p, $out);
            }
        } elseif (is_array($doc)) {
            foreach ($doc as $i => $v) {
                $p = array_merge($at, [(string)$i]);
                $out[] = $p;
                self::places($v, $p, $out);
            }
        }
        return $out;
    }

    public static function deepCopy($v)
    {
        return json_decode(json_encode($v, JSON_PRESERVE_ZERO_FRACTION));
    }

    /** Applies one mutation to a copy: ['op' => set|remove|deep|huge, 'at' => pointer, 'value' => ...]. */
    public static function apply($doc, array $m)
    {
        $doc = self::deepCopy($doc);
        $tokens = self::tokens($m['at']);
        $last = array_pop($tokens);
        $parent = &$doc;
        foreach ($tokens as $t) {
            if (is_object($parent)) {
                $parent = &$parent->{$t};
            } else {
                $parent = &$parent[(int)$t];
            }
        }
        $value = $m['value'] ?? null;
        if ($m['op'] === 'deep') {
            $value = 'leaf';
            for ($i = 0; $i < $m['levels']; $i++) {
                $value = [$value];
            }
        } elseif ($m['op'] === 'huge') {
            $item = $m['value'];
            $value = array_fill(0, $m['count'], $item);
            $value[] = $m['bad'];
        }
        if ($m['op'] === 'remove') {
            if (is_object($parent)) {
                unset($parent->{$last});
            } else {
                array_splice($parent, (int)$last, 1);
            }
        } elseif (is_object($parent)) {
            $parent->{$last} = $value;
        } elseif (is_array($parent)) {
            $parent[(int)$last] = $value;
        }
        unset($parent);
        return $doc;
    }

    /**
     * Deterministic mutants of one document: about $n of them.
     * @return array<int, array<string, mixed>>
     */
    public static function mutants($doc, int $n, int $seed): array
    {
        mt_srand($seed);
        $places = self::places($doc);
        $scalars = array_values(array_filter($places, function ($p) use ($doc) {
            $v = self::get($doc, $p);
            return !is_object($v) && !is_array($v);
        }));
        $typed = array_values(array_filter($scalars, function ($p) use ($doc) {
            $v = self::get($doc, $p);
            return is_int($v) || is_bool($v);
        }));
        $out = [];
        for ($i = 0; $i < $n; $i++) {
            $r = mt_rand(0, 99);
            if ($r < 45 && $scalars) {
                $p = $scalars[mt_rand(0, count($scalars) - 1)];
                $out[] = ['op' => 'set', 'at' => self::pointer($p), 'value' => self::BAD_VALUES[mt_rand(0, count(self::BAD_VALUES) - 1)]];
            } elseif ($r < 60 && $typed) {
                $p = $typed[mt_rand(0, count($typed) - 1)];
                $coercions = ['42', ' 42 ', '+42', "42\n", '42.0', '007', '0x2A', 'yes', 'off', 'ON', '', 'maybe', '1e3', '9223372036854775808'];
                $out[] = ['op' => 'set', 'at' => self::pointer($p), 'value' => $coercions[mt_rand(0, count($coercions) - 1)]];
            } elseif ($r < 72) {
                $p = $places[mt_rand(0, count($places) - 1)];
                $out[] = ['op' => 'remove', 'at' => self::pointer($p)];
            } elseif ($r < 80) {
                $p = $places[mt_rand(0, count($places) - 1)];
                $out[] = ['op' => 'set', 'at' => self::pointer($p), 'value' => mt_rand(0, 1) ? null : (object)['name' => 3]];
            } elseif ($r < 86) {
                $keys = ['httpd-port', 'versionclient', 'foo', 'tag', 'jobid', 'partial', 'action'];
                $k = $keys[mt_rand(0, count($keys) - 1)];
                $out[] = ['op' => 'set', 'at' => '/' . $k, 'value' => self::BAD_VALUES[mt_rand(0, count(self::BAD_VALUES) - 1)]];
            } elseif ($r < 93) {
                $names = ['my_plugin', 'storages', 'hardware', 'softwares'];
                $out[] = ['op' => 'deep', 'at' => '/content/' . $names[mt_rand(0, 3)], 'levels' => mt_rand(197, 201)];
            } else {
                $bad = [(object)['name' => 1], (object)['version' => 'x'], 'str', (object)['name' => 'ok', 'install_date' => 'never']];
                $out[] = ['op' => 'huge', 'at' => '/content/softwares', 'count' => mt_rand(100, 3000),
                    'value' => (object)['name' => 'pkg', 'version' => '1.0'], 'bad' => $bad[mt_rand(0, 3)]];
            }
        }
        return $out;
    }

    public static function get($doc, array $tokens)
    {
        foreach ($tokens as $t) {
            $doc = is_object($doc) ? ($doc->{$t} ?? null) : ($doc[(int)$t] ?? null);
        }
        return $doc;
    }

    /** swaggest's processing path (`#->properties:content->items[0]:0->...`) as a JSON pointer. */
    public static function pathToPointer(string $path): string
    {
        $tokens = [];
        foreach (array_slice(explode('->', $path), 1) as $seg) {
            if (preg_match('/^(properties|additionalProperties|items(\[\d+\])?):(.*)$/s', $seg, $m)) {
                $tokens[] = $m[3];
            }
        }
        return self::pointer($tokens);
    }

    /** The oracle's first violation as [valid, pointer, keyword]. */
    public static function oracleVerdict(object $imported, $doc): array
    {
        $ctx = new \Swaggest\JsonSchema\Context();
        $ctx->tolerateStrings = true;
        try {
            $imported->in($doc, $ctx);
            return [true, null, null];
        } catch (\Swaggest\JsonSchema\InvalidValue $e) {
            $msg = $e->getMessage();
            $at = strrpos($msg, ' at #');
            $path = $at === false ? '#' : substr($msg, $at + 4);
            return [false, self::pathToPointer($path), self::keywordOf($e)];
        } catch (\Swaggest\JsonSchema\Exception $e) {
            return [false, null, $e->getCode() === \Swaggest\JsonSchema\Exception::DEEP_NESTING ? 'depth' : 'error'];
        }
    }

    private static function keywordOf(\Swaggest\JsonSchema\InvalidValue $e): string
    {
        $error = (string)$e->error;
        return match (true) {
            $e instanceof \Swaggest\JsonSchema\Exception\TypeException => 'type',
            $e instanceof \Swaggest\JsonSchema\Exception\EnumException => 'enum',
            $e instanceof \Swaggest\JsonSchema\Exception\ConstException => 'const',
            $e instanceof \Swaggest\JsonSchema\Exception\StringException => match ($e->getCode()) {
                \Swaggest\JsonSchema\Exception\StringException::PATTERN_MISMATCH => 'pattern',
                \Swaggest\JsonSchema\Exception\StringException::TOO_SHORT => 'minLength',
                \Swaggest\JsonSchema\Exception\StringException::TOO_LONG => 'maxLength',
                default => 'format',
            },
            $e instanceof \Swaggest\JsonSchema\Exception\NumericException =>
                $e->getCode() === \Swaggest\JsonSchema\Exception\NumericException::MAXIMUM ? 'maximum' : 'minimum',
            $e instanceof \Swaggest\JsonSchema\Exception\ObjectException =>
                $e->getCode() === \Swaggest\JsonSchema\Exception\ObjectException::REQUIRED ? 'required' : 'additionalProperties',
            str_contains($error, 'oneOf') => 'oneOf',
            str_contains($error, 'anyOf') => 'anyOf',
            default => 'other: ' . $error,
        };
    }
}
