<?php
// Cross-checks the XML well-formedness cases of src/xml/tests.rs against libxml2 through
// SimpleXML, the parser GLPI uses:  php tests/data/xml/cases.php
// Exits non-zero when PHP disagrees with the expected verdict.
libxml_use_internal_errors(true);
$cases = json_decode(file_get_contents(__DIR__ . '/cases.json'), true, 512, JSON_THROW_ON_ERROR);
$bad = 0;
// 'refused' holds documents libxml2 accepts and the extension refuses on purpose (DTDs).
foreach (['well_formed' => true, 'malformed' => false, 'refused' => true] as $list => $expected) {
    foreach ($cases[$list] as $doc) {
        $ok = simplexml_load_string($doc, 'SimpleXMLElement', LIBXML_NOCDATA) !== false;
        libxml_clear_errors();
        if ($ok !== $expected) {
            $bad++;
            printf("%s: PHP says %s: %s\n", $list, $ok ? 'well-formed' : 'malformed', json_encode($doc));
        }
    }
}
$total = count($cases['well_formed']) + count($cases['malformed']) + count($cases['refused']);
printf("%d passed, %d failed\n", $total - $bad, $bad);
exit($bad ? 1 : 0);
