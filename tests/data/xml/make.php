<?php
// Regenerates the encoded documents of this folder and what libxml2 (through SimpleXML,
// as GLPI reads XML) finds in them:  php tests/data/xml/make.php
// For each NAME: NAME.xml (the bytes an agent would send) and NAME.deviceid (the UTF-8
// text of DEVICEID that SimpleXML returns).
$high = '';
for ($b = 0xa0; $b <= 0xff; $b++) { $high .= chr($b); }
$docs = [
    'windows-1252' => "<?xml version=\"1.0\" encoding=\"Windows-1252\"?>\n<REQUEST><DEVICEID>Soci\xe9t\xe9 \x96 5 \x80 \x93ok\x94 $high</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>\n",
    'iso-8859-1' => "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<REQUEST><DEVICEID>Soci\xe9t\xe9 $high</DEVICEID></REQUEST>\n",
    'iso-8859-15' => "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<REQUEST><DEVICEID>5 \xa4 \xbd\xbe $high</DEVICEID></REQUEST>\n",
];
foreach ($docs as $name => $doc) {
    file_put_contents(__DIR__ . "/$name.xml", $doc);
    $x = simplexml_load_string($doc);
    file_put_contents(__DIR__ . "/$name.deviceid", (string)$x->DEVICEID);
}
