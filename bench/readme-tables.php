<?php
// Copies the tables of bench/results/*.md into README.md, between markers:
//
//   <!-- bench:decode -->          the first table of bench/results/decode.md
//   <!-- /bench:decode -->
//   <!-- bench:register#2 -->      its second table (tables counted from 1)
//   <!-- /bench:register#2 -->
//
//   php bench/readme-tables.php            rewrite README.md (nothing changes when in sync)
//   php bench/readme-tables.php --check    only say whether it is in sync (exit 1 if not)
//   php bench/readme-tables.php [--check] README RESULTS_DIR
//
// A results file no marker names, a marker without its results file or table, or markers
// that do not pair up are errors (exit 2): a table must never silently stop being updated.
declare(strict_types=1);

const MARKER = '/^<!-- (\/?)bench:([a-z0-9-]+)(?:#([1-9][0-9]*))? -->$/';

function fail(string $message): never
{
    fwrite(STDERR, "readme-tables: $message\n");
    exit(2);
}

/**
 * The Markdown tables of $text in order: runs of lines starting with "|" whose second line
 * is the delimiter row.
 *
 * @return list<list<string>>
 */
function tables(string $text): array
{
    $tables = [];
    $run = [];
    foreach ([...explode("\n", $text), ''] as $line) {
        if (str_starts_with($line, '|')) {
            $run[] = rtrim($line);
            continue;
        }
        if (count($run) >= 2 && preg_match('/^\|(\s*:?-+:?\s*\|)+$/', $run[1])) {
            $tables[] = $run;
        }
        $run = [];
    }
    return $tables;
}

/**
 * README with every marked table replaced by its source's.
 *
 * @return array{0: string, 1: list<string>} the new text, the markers whose table changed
 */
function update(string $readme, string $resultsDir): array
{
    $lines = explode("\n", $readme);
    $out = [];
    $changed = [];
    $used = [];
    $cache = [];
    for ($i = 0; $i < count($lines); $i++) {
        $out[] = $lines[$i];
        if (!preg_match(MARKER, $lines[$i], $m)) {
            continue;
        }
        [, $closing, $name] = $m;
        $index = (int) ($m[3] ?? 1);
        $label = 'bench:' . $name . (isset($m[3]) ? "#$index" : '');
        $line = $i + 1;
        if ($closing !== '') {
            fail("README line $line: <!-- /$label --> closes nothing");
        }
        $end = null;
        for ($j = $i + 1; $j < count($lines); $j++) {
            if (preg_match(MARKER, $lines[$j], $n)) {
                if ($n[1] === '/' && $lines[$j] === "<!-- /$label -->") {
                    $end = $j;
                }
                break;
            }
        }
        if ($end === null) {
            fail("README line $line: <!-- $label --> has no <!-- /$label --> before the next marker");
        }
        $file = "$resultsDir/$name.md";
        if (!isset($cache[$file])) {
            if (!is_file($file)) {
                fail("README line $line: <!-- $label --> names $file, which does not exist");
            }
            $cache[$file] = tables((string) file_get_contents($file));
        }
        $table = $cache[$file][$index - 1] ?? fail("README line $line: $file has no table $index (it has " . count($cache[$file]) . ')');
        $used[$name] = true;
        if (array_slice($lines, $i + 1, $end - $i - 1) !== $table) {
            $changed[] = $label;
        }
        array_push($out, ...$table);
        $out[] = $lines[$end];
        $i = $end;
    }
    foreach (glob("$resultsDir/*.md") ?: [] as $file) {
        if (!isset($used[basename($file, '.md')])) {
            fail('README has no <!-- bench:' . basename($file, '.md') . " --> marker for $file");
        }
    }
    return [implode("\n", $out), $changed];
}

$args = array_slice($argv, 1);
$check = false;
if (($args[0] ?? null) === '--check') {
    $check = true;
    array_shift($args);
}
if (count($args) !== 0 && count($args) !== 2) {
    fwrite(STDERR, "usage: php bench/readme-tables.php [--check] [README RESULTS_DIR]\n");
    exit(2);
}
$root = dirname(__DIR__);
[$readmeFile, $resultsDir] = $args ?: ["$root/README.md", "$root/bench/results"];
if (!is_dir($resultsDir)) {
    fail("$resultsDir is not a directory");
}
$readme = @file_get_contents($readmeFile);
if ($readme === false) {
    fail("cannot read $readmeFile");
}
[$updated, $changed] = update($readme, $resultsDir);
if ($changed === []) {
    echo "$readmeFile: every table is in sync with $resultsDir\n";
    exit(0);
}
if ($check) {
    echo "$readmeFile: out of sync with $resultsDir: " . implode(', ', $changed) . "\n";
    exit(1);
}
if (file_put_contents($readmeFile, $updated) !== strlen($updated)) {
    fail("cannot write $readmeFile");
}
echo "$readmeFile: updated " . implode(', ', $changed) . "\n";
