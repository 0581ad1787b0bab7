<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/** The messages the simulator sends, shaped as glpi-agent and FusionInventory shape them. */
final class Messages
{
    public static function prolog(string $deviceId): string
    {
        $doc = new \DOMDocument('1.0', 'UTF-8');
        $doc->formatOutput = true;
        $root = $doc->appendChild($doc->createElement('REQUEST'));
        $root->appendChild($doc->createElement('DEVICEID'))->appendChild($doc->createTextNode($deviceId));
        $root->appendChild($doc->createElement('QUERY', 'PROLOG'));
        $root->appendChild($doc->createElement('TOKEN', '12345678'));
        return $doc->saveXML();
    }

    public static function contact(string $deviceId, ?string $tag): string
    {
        $message = [
            'action' => 'contact',
            'deviceid' => $deviceId,
            'name' => 'GLPI-Agent-Simulator',
            'version' => '1.0',
            'installed-tasks' => ['inventory', 'netdiscovery', 'netinventory', 'deploy', 'collect', 'esx', 'wakeonlan', 'remoteinventory'],
            'enabled-tasks' => ['inventory', 'deploy'],
            'httpd-port' => '62354',
            'httpd-plugins' => ['ssl' => ['disabled' => 'yes'], 'proxy' => ['disabled' => 'yes'], 'toolbox' => ['disabled' => 'yes']],
        ];
        if ($tag !== null) {
            $message['tag'] = $tag;
        }
        return self::json($message);
    }

    /** The JSON inventory in $file (a whole message, or only its content) for this device. */
    public static function inventory(string $file, string $deviceId, ?string $tag): string
    {
        $text = @file_get_contents($file);
        $inventory = $text === false ? null : json_decode($text);
        if (!$inventory instanceof \stdClass) {
            throw new Failure("$file is not a JSON inventory");
        }
        if (!isset($inventory->content)) {
            // A bare inventory content: wrap it as a message.
            $inventory = (object) ['content' => $inventory];
        }
        $inventory->action = 'inventory';
        $inventory->deviceid = $deviceId;
        $inventory->itemtype ??= 'Computer';
        if ($tag !== null) {
            $inventory->tag = $tag;
        }
        return self::json((array) $inventory);
    }

    /** The XML inventory in $file with this device's id in it, as FusionInventory sends it. */
    public static function xmlInventory(string $file, string $deviceId): string
    {
        $xml = @file_get_contents($file);
        if ($xml === false) {
            throw new Failure("cannot read $file");
        }
        return preg_replace('#<DEVICEID>[^<]*</DEVICEID>#', '<DEVICEID>' . htmlspecialchars($deviceId, ENT_XML1) . '</DEVICEID>', $xml, 1) ?? $xml;
    }

    public static function json(array $fields): string
    {
        $json = json_encode($fields, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
        // glpi-agent (Perl JSON::PP) indents by three spaces, PHP by four: match the agent so
        // that sizes on the wire are the real ones.
        return preg_replace_callback('/^(?: {4})+/m', static fn (array $m): string => str_repeat(' ', intdiv(strlen($m[0]), 4) * 3), $json) . "\n";
    }
}
