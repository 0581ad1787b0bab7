<?php
// XML inventories for the converter's parity tests: documents made to reach each rule of
// GLPI's conversion (dates, units, casts, lists, network devices, refusals), and variants
// of whole inventories (elements repeated, emptied, padded with whitespace, given
// attributes, comments or CDATA, re-encoded as ISO-8859-1).

declare(strict_types=1);

final class ConverterCases
{
    private static function doc(string $content, string $query = 'INVENTORY', string $extra = ''): string
    {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REQUEST><CONTENT>$content</CONTENT>"
            . "<DEVICEID>case-2026-01-01-00-00-00</DEVICEID><QUERY>$query</QUERY>$extra</REQUEST>";
    }

    private static function esc(string $s): string
    {
        return htmlspecialchars($s, ENT_XML1 | ENT_QUOTES, 'UTF-8');
    }

    /** Date strings in every format the conversion reads, and ones it does not. */
    public const DATES = [
        'Thu Mar 14 15:05:41 2013', 'Mon Mar 14 15:05:41 2013', 'sun DECEMBER 1 00:00:00 1999',
        '2020-01-02T03:04:05Z', '2020-02-30T10:00:00Z', '2020-01-02T03:04:05',
        '02/01/2020 03:04:05', '2020-01-02 03:04:05', '2020-1-2 3:04:05', '2020-01-02 3:4:5',
        '02/01/2020 03:04', '2020-01-02 03:04', '02/01/2020', '12/25/2020', '31/02/2020',
        '2020-01-02', '2020-1-2', '2020-13-45', '0000-00-00', '02.01.2020', '20200102',
        '2020012', '1/2/20', '0/0/0', '2020-01-02 25:61:61', '2020-01-02 24:00:00',
        'n/a', 'N/A', 'boot_time', '0', '20', '2020/01/02', '2020-01-02 03:04:05.123',
        'yesterday', '14/03/2013 15:05:41 extra', ' 2020-01-02', '10000101',
    ];

    /** Times a process may have started at, and ones that are dropped. */
    public const STARTED = [
        '2020-01-02 03:04', '2020-01-02 03:04:05', '2020-1-5 1:2', '2020-13-01 10:00',
        '2020-00-10 10:00', '2020-01-00 10:00', '2020-02-30 10:00', '2020-01-01 24:30',
        '2020-01-01 25:00', '2020-01-01 10:60', '2020-01-01 10:00:60', '2020-01-01 10:00:61',
        '2020-01-32 10:00', '20-01-01 10:00', '2020-01-01', 'Mon Mar 14 15:05:41 2013',
    ];

    /** Boot times: the day-month swap GLPI repairs, and the formats convertDate reads. */
    public const BOOT_TIMES = [
        '2022-21-09 05:21:23', '2022-10-04 05:21:23', '2022-13-13 05:21:23',
        '2022-12-31 24:00:00', '2022-12-31 25:00:00', '2022-04-32 05:21:23',
        '2022-1-4 5:21:23', '2022-00-04 05:21:23', 'Thu Mar 14 15:05:41 2013',
        '14/03/2013 15:05:41', '2013-03-14T15:05:41Z', '14/03/2013 15:05', 'n/a', 'junk',
    ];

    public const MEMORIES = [
        '2048', '2048 MB', '2048MB', '2 GB', '2GB', '1 TB', '1 PB', '512 KB', '1048576 B',
        '1 KB', '3 kb', '1.5 GB', '1,5 GB', '1|5 GB', '7 XB', '12 B', '12 b', '0', '-5',
        '1e3', ' 64', '64 ', '9223372036854775807', '9999999 PB', "2048 MB\n", 'lots',
        '1024 MiB', '2.0',
    ];

    public const POWERS = [
        '50 Wh', '50.5 Wh', '1.0005 Wh', '0.0004 Wh', '42000 mWh', '42000', '42000.00',
        '42000.5', '0', '0 Wh', 'abc', "50 Wh\n", '50 wh', '50Wh', '1e3',
    ];

    public const VOLTAGES = [
        '12 V', '12V', '12.6 V', '11100 mV', '11100', '0 V', 'x', '12 v', '12.5V', '12 MV',
    ];

    public const INTEGERS = [
        '42', ' 42', '42 ', '+42', '-42', '42.0', '42.5', '1e3', '0x2A', '007', 'abc',
        '9223372036854775807', '9223372036854775808', '99999999999999999999', '',
    ];

    public const BOOLEANS = ['1', '0', 'true', 'false', 'yes', 'no', '00', ' '];

    /** @return array<string, string> name => XML */
    public static function rules(): array
    {
        $cases = [];
        foreach (self::DATES as $i => $d) {
            $e = self::esc($d);
            $cases["date-$i"] = self::doc(
                "<SOFTWARES><NAME>a</NAME><INSTALLDATE>$e</INSTALLDATE></SOFTWARES>"
                . "<SOFTWARES><NAME>b</NAME><INSTALL_DATE>$e</INSTALL_DATE><INSTALLDATE>01/02/2003</INSTALLDATE></SOFTWARES>"
                . "<BATTERIES><NAME>b</NAME><DATE>$e</DATE></BATTERIES>"
                . "<BIOS><BDATE>$e</BDATE><SMANUFACTURER>x</SMANUFACTURER></BIOS>"
                . "<OPERATINGSYSTEM><NAME>os</NAME><INSTALL_DATE>$e</INSTALL_DATE></OPERATINGSYSTEM>"
                . "<ANTIVIRUS><NAME>av</NAME><EXPIRATION>$e</EXPIRATION></ANTIVIRUS>"
                . "<FIRMWARES><NAME>fw</NAME><DATE>$e</DATE></FIRMWARES>"
            );
        }
        foreach (self::STARTED as $i => $s) {
            $cases["started-$i"] = self::doc('<PROCESSES><CMD>a</CMD><STARTED>' . self::esc($s) . '</STARTED><PID>12</PID></PROCESSES>');
        }
        foreach (self::BOOT_TIMES as $i => $b) {
            $cases["boot-time-$i"] = self::doc('<OPERATINGSYSTEM><BOOT_TIME>' . self::esc($b) . '</BOOT_TIME><NAME>x</NAME></OPERATINGSYSTEM>');
        }
        foreach (self::MEMORIES as $i => $m) {
            $e = self::esc($m);
            $cases["memory-$i"] = self::doc(
                "<HARDWARE><MEMORY>$e</MEMORY><SWAP>$e</SWAP><NAME>h</NAME></HARDWARE>"
                . "<MEMORIES><CAPACITY>$e</CAPACITY></MEMORIES><VIDEOS><MEMORY>$e</MEMORY></VIDEOS>"
                . "<VIRTUALMACHINES><NAME>vm</NAME><MEMORY>$e</MEMORY></VIRTUALMACHINES>"
            );
        }
        foreach (self::POWERS as $i => $p) {
            $e = self::esc($p);
            $cases["power-$i"] = self::doc(
                "<BATTERIES><CAPACITY>$e</CAPACITY><REAL_CAPACITY>$e</REAL_CAPACITY><POWER_MAX>$e</POWER_MAX></BATTERIES>"
                . "<POWERSUPPLIES><POWER_MAX>$e</POWER_MAX><NAME>p</NAME></POWERSUPPLIES>"
            );
        }
        foreach (self::VOLTAGES as $i => $v) {
            $cases["voltage-$i"] = self::doc('<BATTERIES><NAME>b</NAME><VOLTAGE>' . self::esc($v) . '</VOLTAGE></BATTERIES>');
        }
        foreach (self::INTEGERS as $i => $n) {
            $e = self::esc($n);
            $cases["integer-$i"] = self::doc(
                "<CPUS><SPEED>$e</SPEED><CORE>$e</CORE></CPUS><CPUS><SPEED>$e</SPEED></CPUS>"
                . "<DRIVES><FREE>$e</FREE><TOTAL>1</TOTAL></DRIVES><HARDWARE><ETIME>$e</ETIME><NAME>n</NAME></HARDWARE>"
                . "<NETWORKS><MTU>$e</MTU><DESCRIPTION>d</DESCRIPTION></NETWORKS>"
            );
        }
        foreach (self::BOOLEANS as $i => $b) {
            $e = self::esc($b);
            $cases["boolean-$i"] = self::doc(
                "<DRIVES><SYSTEMDRIVE>$e</SYSTEMDRIVE></DRIVES><ANTIVIRUS><ENABLED>$e</ENABLED><UPTODATE>$e</UPTODATE></ANTIVIRUS>"
                . "<NETWORKS><VIRTUALDEV>$e</VIRTUALDEV><MANAGEMENT>$e</MANAGEMENT></NETWORKS><NETWORKS><VIRTUALDEV>$e</VIRTUALDEV></NETWORKS>"
                . "<MEMORIES><REMOVABLE>$e</REMOVABLE></MEMORIES>"
            );
        }
        $cases += self::items();
        $cases += self::network();
        $cases += self::structure();
        return $cases;
    }

    /** @return array<string, string> */
    private static function items(): array
    {
        $c = [];
        foreach (['Ethernet', 'WIFI', 'local', 'Loopback', 'token-ring', 'aggregate', '0'] as $i => $t) {
            $c["network-type-$i"] = self::doc("<NETWORKS><TYPE>$t</TYPE><STATUS>Up</STATUS><MACADDR>00:11</MACADDR></NETWORKS><NETWORKS><MAC>aa</MAC><MACADDR>bb</MACADDR><STATUS>DOWN</STATUS></NETWORKS>");
        }
        foreach (['In Use', 'available', 'Unknown', 'other'] as $i => $s) {
            $c["slot-$i"] = self::doc("<SLOTS><NAME>s</NAME><STATUS>$s</STATUS><SHARED>x</SHARED></SLOTS>");
        }
        foreach (['Hyper-V', 'Solaris Zones', 'solaris zone', 'KVM', 'VirtualBox'] as $i => $t) {
            foreach (['pause', 'Stopped', 'unknown', 'running'] as $j => $s) {
                $c["vm-$i-$j"] = self::doc("<VIRTUALMACHINES><NAME>v</NAME><VMTYPE>$t</VMTYPE><STATUS>$s</STATUS><VMID>3</VMID></VIRTUALMACHINES>");
            }
        }
        foreach (['+02', '-05', '+0200', '+2', 'UTC'] as $i => $o) {
            $c["timezone-$i"] = self::doc("<OPERATINGSYSTEM><TIMEZONE><OFFSET>$o</OFFSET></TIMEZONE></OPERATINGSYSTEM>");
            $c["timezone-named-$i"] = self::doc("<OPERATINGSYSTEM><TIMEZONE><NAME>Europe/Paris</NAME><OFFSET>$o</OFFSET></TIMEZONE></OPERATINGSYSTEM>");
        }
        $c['timezone-no-offset'] = self::doc('<OPERATINGSYSTEM><TIMEZONE><NAME>Z</NAME></TIMEZONE></OPERATINGSYSTEM>');
        $c['timezone-offset-only-name-missing'] = self::doc('<OPERATINGSYSTEM><TIMEZONE><X>1</X></TIMEZONE></OPERATINGSYSTEM>');
        foreach (['8086:1234', '8086', ':1234', '0:0', '8086:1234:99'] as $i => $p) {
            $c["pciid-$i"] = self::doc("<CONTROLLERS><NAME>c</NAME><PCIID>$p</PCIID><DESCRIPTION>d</DESCRIPTION></CONTROLLERS><CONTROLLERS><PCIID>$p</PCIID><VENDORID>aaaa</VENDORID></CONTROLLERS>");
        }
        foreach (['serial-ata', 'Serial-ATA', 'SATA', 'scsi'] as $i => $s) {
            $c["storage-$i"] = self::doc("<STORAGES><INTERFACE>$s</INTERFACE><SERIALNUMBER>sn</SERIALNUMBER></STORAGES><STORAGES><SERIAL>a</SERIAL><SERIALNUMBER>b</SERIALNUMBER><DISKSIZE>12</DISKSIZE></STORAGES>");
        }
        $c['accountinfo-tag'] = self::doc('<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>paris</KEYVALUE></ACCOUNTINFO>');
        $c['accountinfo-tag-set'] = self::doc('<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>paris</KEYVALUE></ACCOUNTINFO>', 'INVENTORY', '<TAG>lyon</TAG>');
        $c['accountinfo-other'] = self::doc('<ACCOUNTINFO><KEYNAME>tag</KEYNAME><KEYVALUE>paris</KEYVALUE></ACCOUNTINFO>');
        $c['accountinfo-list'] = self::doc('<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>a</KEYVALUE></ACCOUNTINFO><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>b</KEYVALUE></ACCOUNTINFO>');
        $c['accountinfo-value-children'] = self::doc('<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE><A>1</A></KEYVALUE></ACCOUNTINFO>');
        $c['antivirus-old'] = self::doc('<ANTIVIRUS><NAME>a</NAME><DATFILECREATION>c</DATFILECREATION><DATFILEVERSION>v1</DATFILEVERSION><ENGINEVERSION64>v2</ENGINEVERSION64><ENGINEVERSION32>v3</ENGINEVERSION32></ANTIVIRUS><ANTIVIRUS><ENGINEVERSION32>v3</ENGINEVERSION32><BASE_VERSION>b</BASE_VERSION></ANTIVIRUS>');
        $c['envs'] = self::doc('<ENVS><KEY>A</KEY><VAL>1</VAL></ENVS><ENVS><KEY>B</KEY><VAL></VAL></ENVS><ENVS><KEY>C</KEY></ENVS>');
        $c['ports-type'] = self::doc('<PORTS><NAME>p</NAME></PORTS><PORTS><NAME>q</NAME><TYPE>USB</TYPE></PORTS>');
        $c['local-groups'] = self::doc('<LOCAL_GROUPS><NAME>g</NAME><MEMBER>a</MEMBER></LOCAL_GROUPS><LOCAL_GROUPS><NAME>h</NAME><MEMBER>a</MEMBER><MEMBER>b</MEMBER></LOCAL_GROUPS>');
        $c['versionprovider'] = self::doc('<VERSIONPROVIDER><NAME>p</NAME><COMMENTS>c</COMMENTS></VERSIONPROVIDER>');
        $c['versionprovider-many'] = self::doc('<VERSIONPROVIDER><NAME>p</NAME><COMMENTS>c</COMMENTS><COMMENTS>d</COMMENTS></VERSIONPROVIDER>');
        $c['cameras'] = self::doc('<CAMERAS><RESOLUTION>1x1</RESOLUTION><IMAGEFORMATS>jpg</IMAGEFORMATS><FLASHUNIT>1</FLASHUNIT></CAMERAS><CAMERAS><RESOLUTION>2</RESOLUTION><RESOLUTION>3</RESOLUTION><RESOLUTIONVIDEO>4</RESOLUTIONVIDEO></CAMERAS>');
        $c['simcards'] = self::doc('<SIMCARDS><LINE_NUMBER>1</LINE_NUMBER></SIMCARDS><SIMCARDS><LINE_NUMBER>1</LINE_NUMBER><PHONE_NUMBER>2</PHONE_NUMBER></SIMCARDS>');
        $c['firewall'] = self::doc('<FIREWALL><PROFILE>p</PROFILE></FIREWALL><FIREWALLS><X>1</X></FIREWALLS>');
        $c['user-users'] = self::doc('<USER><LOGIN>a</LOGIN></USER>');
        $c['user-and-users'] = self::doc('<USER><LOGIN>a</LOGIN></USER><USERS><LOGIN>b</LOGIN></USERS>');
        $c['versionclient'] = self::doc('<HARDWARE><NAME>h</NAME><VERSIONCLIENT>v1</VERSIONCLIENT></HARDWARE>');
        $c['versionclient-set'] = self::doc('<VERSIONCLIENT>v0</VERSIONCLIENT><HARDWARE><VERSIONCLIENT>v1</VERSIONCLIENT></HARDWARE>');
        $c['drops'] = self::doc(
            '<REGISTRY><NAME>r</NAME></REGISTRY><USERSLIST><A>1</A></USERSLIST><JVMS><A>1</A></JVMS>'
            . '<HARDWARE><NAME>h</NAME><ARCHNAME>a</ARCHNAME><CHECKSUM>1</CHECKSUM><ETIME>3</ETIME><USERID>u</USERID><LASTDATE>l</LASTDATE></HARDWARE>'
            . '<OPERATINGSYSTEM><BOOT_DATE>b</BOOT_DATE><NAME>o</NAME></OPERATINGSYSTEM><BIOS><TYPE>t</TYPE><BVERSION>v</BVERSION></BIOS>'
            . '<LICENSEINFOS><OEM>o</OEM><TRIAL>1</TRIAL></LICENSEINFOS><DRIVES><NUMFILES>3</NUMFILES><SYSTEMDRIVE>0</SYSTEMDRIVE></DRIVES>'
            . '<INPUTS><POINTTYPE>p</POINTTYPE><NAME>i</NAME></INPUTS><SOFTWARES><NAME>s</NAME><FILENAME>f</FILENAME><SOURCE>x</SOURCE><LANGUAGE>l</LANGUAGE><IS64BIT>1</IS64BIT><RELEASETYPE>r</RELEASETYPE><NO_REMOVE>0</NO_REMOVE><FILESIZE>12</FILESIZE></SOFTWARES>'
            . '<VIDEOS><PCIID>1:2</PCIID><NAME>v</NAME></VIDEOS><CPUS><TYPE>t</TYPE><ARCH>X86_64</ARCH></CPUS><SENSORS><POWER>3</POWER><NAME>s</NAME></SENSORS>'
            . '<BATTERIES><TEMPERATURE>1</TEMPERATURE><LEVEL>2</LEVEL><HEALTH>3</HEALTH><STATUS>4</STATUS><NAME>b</NAME></BATTERIES>'
            . '<PHYSICAL_VOLUMES><PV_NAME>p</PV_NAME><SIZE>12</SIZE></PHYSICAL_VOLUMES>',
            'INVENTORY',
            '<UUID>u</UUID><USER>x</USER><AGENTSNAME>a</AGENTSNAME><MACHINEID>m</MACHINEID><HOSTNAME>h</HOSTNAME><POLICY_SERVER>p</POLICY_SERVER>'
        );
        // Where GLPI's conversion throws: text where a rule needs an element with children.
        foreach (['CPUS', 'SOFTWARES', 'NETWORKS', 'BATTERIES', 'ENVS', 'PORTS', 'BIOS', 'OPERATINGSYSTEM', 'HARDWARE', 'ACCOUNTINFO', 'STORAGES', 'ANTIVIRUS'] as $name) {
            $c['text-' . strtolower($name)] = self::doc("<$name>just text</$name>");
            $c['text-item-' . strtolower($name)] = self::doc("<$name><NAME>a</NAME></$name><$name>just text</$name>");
        }
        $c['text-content'] = self::doc('just text');
        $c['text-timezone'] = self::doc('<OPERATINGSYSTEM><TIMEZONE>UTC</TIMEZONE></OPERATINGSYSTEM>');
        $c['children-date'] = self::doc('<SOFTWARES><INSTALLDATE><A>1</A></INSTALLDATE></SOFTWARES>');
        $c['children-memory'] = self::doc('<HARDWARE><MEMORY><A>1</A></MEMORY></HARDWARE>');
        $c['children-speed'] = self::doc('<CPUS><SPEED><A>1</A></SPEED></CPUS>');
        $c['children-query'] = "<REQUEST><QUERY><A>1</A></QUERY><CONTENT><HARDWARE><NAME>x</NAME></HARDWARE></CONTENT></REQUEST>";
        foreach (['SNMP', 'SNMPQUERY', 'netdiscovery', 'PROLOG', 'other'] as $q) {
            $c["query-$q"] = self::doc('<HARDWARE><NAME>x</NAME></HARDWARE>', $q);
        }
        $c['action-given'] = "<REQUEST><ACTION>mine</ACTION><QUERY>SNMP</QUERY><ITEMTYPE>Phone</ITEMTYPE><CONTENT><HARDWARE><NAME>x</NAME></HARDWARE></CONTENT></REQUEST>";
        return $c;
    }

    /** @return array<string, string> */
    private static function network(): array
    {
        $c = [];
        $info = '<INFO><TYPE>%s</TYPE><NAME>sw</NAME><ID>12</ID><CPU>7 %%</CPU><COMMENTS>c</COMMENTS><MACADDR>00:aa</MACADDR><MEMORY>128</MEMORY><RAM>64 MB</RAM>%s</INFO>';
        foreach (['NETWORKING', 'printer', 'kvm', 'Storage', 'power', 'VIDEO', 'phone', 'computer', 'unmanaged', 'toaster'] as $i => $t) {
            $c["netinv-type-$i"] = self::doc(sprintf('<DEVICE>' . $info . '</DEVICE><MODULEVERSION>4.1</MODULEVERSION><PROCESSNUMBER>12ab</PROCESSNUMBER>', $t, ''), 'SNMPQUERY');
        }
        $ips = ['<IPS><IP>10.0.0.1</IP></IPS>', '<IPS><IP>10.0.0.1</IP><IP>10.0.0.2</IP></IPS>', '<IPS><X>1</X></IPS>'];
        foreach ($ips as $i => $ip) {
            $c["netinv-ips-$i"] = self::doc(sprintf('<DEVICE>' . $info . '</DEVICE>', 'NETWORKING', $ip), 'SNMPQUERY');
        }
        $c['netinv-firmware'] = self::doc(sprintf('<DEVICE>' . $info . '</DEVICE><FIRMWARES><NAME>f0</NAME></FIRMWARES>', 'NETWORKING', '<FIRMWARE>1.2</FIRMWARE>'), 'SNMPQUERY');
        $c['netinv-firmware-device'] = self::doc(sprintf('<DEVICE>' . $info . '<FIRMWARES><NAME>f1</NAME><VERSION>2</VERSION></FIRMWARES><FIRMWARES><NAME>f2</NAME></FIRMWARES></DEVICE><FIRMWARES><NAME>f0</NAME></FIRMWARES>', 'NETWORKING', '<FIRMWARE>1.2</FIRMWARE>'), 'SNMPQUERY');
        $c['netinv-firmware-text'] = self::doc(sprintf('<DEVICE>' . $info . '<FIRMWARES>x</FIRMWARES></DEVICE>', 'NETWORKING', '<FIRMWARE>1.2</FIRMWARE>'), 'SNMPQUERY');
        $port = '<PORT><IFNUMBER>%d</IFNUMBER><IFNAME>p%d</IFNAME><IFINOCTETS>10</IFINOCTETS><IFOUTOCTETS>20</IFOUTOCTETS><IFSPEED>1000000000</IFSPEED><TRUNK>%d</TRUNK>%s</PORT>';
        $extras = [
            '',
            '<VLANS><VLAN><NUMBER>1</NUMBER><NAME>v</NAME></VLAN></VLANS>',
            '<VLANS><VLAN><NUMBER>1</NUMBER></VLAN><VLAN><NUMBER>2</NUMBER></VLAN></VLANS>',
            '<CONNECTIONS><CDP>1</CDP><CONNECTION><IFNUMBER>3</IFNUMBER><SYSMAC>aa</SYSMAC></CONNECTION></CONNECTIONS>',
            '<CONNECTIONS><CONNECTION><MAC>a</MAC></CONNECTION><CONNECTION><MAC>b</MAC><IFNUMBER>x</IFNUMBER></CONNECTION></CONNECTIONS>',
            '<CONNECTIONS><CDP>1</CDP></CONNECTIONS>',
            '<AGGREGATE><PORT>1</PORT><PORT>2</PORT></AGGREGATE>',
            '<AGGREGATE><PORT>7</PORT></AGGREGATE>',
            '<IP>10.0.0.9</IP>',
            '<IP>10.0.0.9</IP><IPS><IP>10.0.0.8</IP></IPS>',
            '<IPS><IP>1</IP><IP>2</IP></IPS>',
            '<IFINBYTES>99</IFINBYTES>',
            '<VLANS>text</VLANS>',
        ];
        foreach ($extras as $i => $extra) {
            $ports = sprintf($port, 1, 1, 1, $extra);
            $c["netinv-port-$i"] = self::doc(sprintf('<DEVICE>' . $info . '<PORTS>%s</PORTS></DEVICE>', 'NETWORKING', '', $ports), 'SNMPQUERY');
            $ports .= sprintf($port, 2, 2, 0, $extra);
            $c["netinv-ports-$i"] = self::doc(sprintf('<DEVICE>' . $info . '<PORTS>%s</PORTS></DEVICE>', 'NETWORKING', '', $ports), 'SNMPQUERY');
        }
        $comp = '<COMPONENT><INDEX>%d</INDEX><NAME>c</NAME><CONTAINEDININDEX>0</CONTAINEDININDEX><REVISION>r</REVISION><VERSION>v</VERSION><FRU>2</FRU><IP>1</IP><MAC>m</MAC></COMPONENT>';
        $c['netinv-component'] = self::doc(sprintf('<DEVICE>' . $info . '<COMPONENTS>' . $comp . '</COMPONENTS></DEVICE>', 'NETWORKING', '', 1), 'SNMPQUERY');
        $c['netinv-components'] = self::doc(sprintf('<DEVICE>' . $info . '<COMPONENTS>' . $comp . $comp . '</COMPONENTS></DEVICE>', 'NETWORKING', '', 1, 2), 'SNMPQUERY');
        $c['netinv-printer'] = self::doc(sprintf('<DEVICE>' . $info . '<CARTRIDGES><TONERBLACK>50</TONERBLACK></CARTRIDGES><PAGECOUNTERS><TOTAL>100</TOTAL><BLACK>x</BLACK></PAGECOUNTERS></DEVICE>', 'PRINTER', ''), 'SNMPQUERY');
        $c['netinv-printer-versionclient'] = self::doc(sprintf('<DEVICE>' . $info . '</DEVICE><MODULEVERSION>4.1</MODULEVERSION>', 'PRINTER', ''), 'SNMPQUERY');
        $c['netinv-modems'] = self::doc(sprintf('<DEVICE>' . $info . '<MODEMS><NAME>m</NAME></MODEMS><SIMCARDS><IMSI>1</IMSI><LINE_NUMBER>5</LINE_NUMBER></SIMCARDS></DEVICE><MODEMS><NAME>m0</NAME></MODEMS>', 'NETWORKING', ''), 'SNMPQUERY');
        $c['netinv-unknown-member'] = self::doc(sprintf('<DEVICE>' . $info . '<STRANGE>1</STRANGE></DEVICE>', 'NETWORKING', ''), 'SNMPQUERY');
        $c['netinv-no-info'] = self::doc('<DEVICE><PORTS><PORT><IFNUMBER>1</IFNUMBER></PORT></PORTS></DEVICE>', 'SNMPQUERY');
        $c['netinv-two-devices'] = self::doc(sprintf('<DEVICE>' . $info . '</DEVICE><DEVICE>' . $info . '</DEVICE>', 'NETWORKING', '', 'NETWORKING', ''), 'SNMPQUERY');
        $c['netinv-device-text'] = self::doc('<DEVICE>text</DEVICE>', 'SNMPQUERY');
        $c['netinv-info-text'] = self::doc('<DEVICE><INFO>text</INFO></DEVICE>', 'SNMPQUERY');
        $c['netinv-no-query'] = "<REQUEST><CONTENT><DEVICE>" . sprintf($info, 'NETWORKING', '') . "</DEVICE></CONTENT></REQUEST>";

        $disco = [
            '<IP>10.0.0.1</IP><MAC>00:11</MAC><NETBIOSNAME>PC1</NETBIOSNAME><DNSHOSTNAME>pc1.lan</DNSHOSTNAME><WORKGROUP>WG</WORKGROUP><ENTITY>0</ENTITY><USERSESSION>u</USERSESSION>',
            '<IP>10.0.0.2</IP><SNMPHOSTNAME>sw</SNMPHOSTNAME><DNSHOSTNAME>d</DNSHOSTNAME><NETBIOSNAME>n</NETBIOSNAME><TYPE>NETWORKING</TYPE><MODEL>m</MODEL><AUTHSNMP>1</AUTHSNMP><DESCRIPTION>desc</DESCRIPTION><SERIAL>s</SERIAL><UPTIME>u</UPTIME><CONTACT>c</CONTACT><LOCATION>l</LOCATION><FIRMWARE>f</FIRMWARE><ASSETTAG>a</ASSETTAG>',
            '<IP>10.0.0.3</IP><SNMPHOSTNAME>0</SNMPHOSTNAME><DNSHOSTNAME>d</DNSHOSTNAME>',
            '<IP>10.0.0.4</IP><NETPORTVENDOR>Vendor</NETPORTVENDOR><MANUFACTURER>M</MANUFACTURER>',
            '<IP>10.0.0.5</IP><MANUFACTURER>M</MANUFACTURER><NETPORTVENDOR>Vendor</NETPORTVENDOR>',
            '<IP>10.0.0.6</IP><NETPORTVENDOR>Vendor</NETPORTVENDOR>',
            '<IPS><IP>1</IP><IP>2</IP></IPS><IP>3</IP><DNSHOSTNAME>d</DNSHOSTNAME>',
            '<INFO><TYPE>PRINTER</TYPE></INFO><IP>10.0.0.7</IP><DNSHOSTNAME>p</DNSHOSTNAME>',
            '<IP>10.0.0.8</IP><STRANGE>1</STRANGE>',
            '<IP>10.0.0.9</IP><TYPE>TOASTER</TYPE>',
            '<INFO>text</INFO><DNSHOSTNAME>p</DNSHOSTNAME>',
        ];
        foreach ($disco as $i => $d) {
            $c["netdisco-$i"] = self::doc("<DEVICE>$d</DEVICE><MODULEVERSION>4.1</MODULEVERSION><PROCESSNUMBER>7</PROCESSNUMBER>", 'NETDISCOVERY');
        }
        $c['netdisco-hardware-text'] = self::doc('<HARDWARE>x</HARDWARE><DEVICE><WORKGROUP>W</WORKGROUP></DEVICE>', 'NETDISCOVERY');
        return $c;
    }

    /** @return array<string, string> */
    private static function structure(): array
    {
        $c = [];
        $c['root-empty'] = '<REQUEST/>';
        $c['root-text'] = '<REQUEST>text</REQUEST>';
        $c['root-blank'] = "<REQUEST>  \n </REQUEST>";
        $c['root-attributes'] = '<REQUEST version="2" Lang="fr"><CONTENT><HARDWARE><NAME>x</NAME></HARDWARE></CONTENT></REQUEST>';
        $c['root-attributes-text'] = '<REQUEST version="2">text</REQUEST>';
        $c['attributes-nested'] = self::doc('<HARDWARE id="1" ID="2"><NAME lang="en">x</NAME></HARDWARE><CPUS n="1"><NAME>a</NAME></CPUS><CPUS n="2"><NAME>b</NAME></CPUS>');
        $c['mixed-text-first'] = self::doc('<HARDWARE>lead<NAME>x</NAME>tail</HARDWARE>');
        $c['mixed-child-first'] = self::doc('<HARDWARE><NAME>x</NAME>tail</HARDWARE>');
        $c['mixed-blank-first'] = self::doc("<HARDWARE>\n  <NAME/>tail</HARDWARE>");
        $c['mixed-removed-first'] = self::doc('<HARDWARE><NAME/>tail</HARDWARE>');
        $c['comments'] = self::doc('<!-- a --><HARDWARE><NAME>x</NAME><!-- b --><!-- c --></HARDWARE><BIOS><!-- only --></BIOS><CPUS>t<!-- x -->u</CPUS>');
        $c['processing-instructions'] = self::doc('<HARDWARE><NAME>x</NAME><?agent run?></HARDWARE>');
        $c['namespaces'] = '<REQUEST xmlns:n="urn:x" n:a="1" b="2"><CONTENT><n:HARDWARE><NAME>x</NAME></n:HARDWARE><BIOS><n:X>1</n:X>t</BIOS><HARDWARE><NAME>y</NAME></HARDWARE></CONTENT></REQUEST>';
        $c['cdata'] = self::doc('<HARDWARE><NAME><![CDATA[<x> & y]]></NAME><UUID>a<![CDATA[b]]>c</UUID><CHASSIS_TYPE><![CDATA[   ]]></CHASSIS_TYPE></HARDWARE>');
        $c['entities'] = self::doc('<HARDWARE><NAME>a &amp; b &lt;c&gt; &#233;&#x20AC;</NAME></HARDWARE>');
        $c['case-collision'] = self::doc('<HARDWARE><NAME>x</NAME><name>y</name><Name>z</Name></HARDWARE><Hardware><NAME>w</NAME></Hardware>');
        $c['whitespace-values'] = self::doc("<HARDWARE><NAME>  padded  </NAME><UUID>\n\t</UUID><WORKGROUP> </WORKGROUP><DNS>a\nb</DNS></HARDWARE>");
        $c['nested-empties'] = self::doc('<HARDWARE><NAME>x</NAME><A><B><C/></B><D> </D></A></HARDWARE><BIOS><X><Y/></X></BIOS>');
        $c['unicode'] = self::doc('<HARDWARE><NAME>Żółć 😀 日本</NAME></HARDWARE>');
        $c['zero-values'] = self::doc('<HARDWARE><NAME>0</NAME><MEMORY>0</MEMORY></HARDWARE><SOFTWARES><NAME>0</NAME><INSTALLDATE>0</INSTALLDATE></SOFTWARES>');
        $c['deep'] = self::doc(str_repeat('<A>', 200) . 'x' . str_repeat('</A>', 200));
        $c['too-deep'] = self::doc(str_repeat('<A>', 300) . 'x' . str_repeat('</A>', 300));
        // libxml2's limit: the root and 256 levels pass, one more fails.
        $c['deepest'] = '<REQUEST>' . str_repeat('<A>', 256) . 'x' . str_repeat('</A>', 256) . '</REQUEST>';
        $c['one-too-deep'] = '<REQUEST>' . str_repeat('<A>', 257) . 'x' . str_repeat('</A>', 257) . '</REQUEST>';
        $c['malformed'] = '<REQUEST><CONTENT></REQUEST>';
        $c['dtd'] = '<!DOCTYPE r [<!ENTITY e "x">]><REQUEST><CONTENT><HARDWARE><NAME>&e;</NAME></HARDWARE></CONTENT></REQUEST>';
        $c['latin1'] = mb_convert_encoding(
            '<?xml version="1.0" encoding="ISO-8859-1"?><REQUEST><CONTENT><HARDWARE><NAME>Café Noël</NAME></HARDWARE><SOFTWARES><NAME>Éditeur</NAME><PUBLISHER>Société</PUBLISHER></SOFTWARES></CONTENT><QUERY>INVENTORY</QUERY></REQUEST>',
            'ISO-8859-1',
            'UTF-8'
        );
        $c['windows-1252'] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><REQUEST><CONTENT><HARDWARE><NAME>\x80 \x93q\x94</NAME></HARDWARE></CONTENT></REQUEST>";
        return $c;
    }

    /**
     * Variants of one inventory. Each is a whole document made from $xml.
     * @return array<string, string>
     */
    public static function variants(string $name, string $xml): array
    {
        $out = [];
        $dom = self::load($xml);
        if ($dom === null) {
            return $out;
        }
        $out["$name/repeated-once"] = self::mutate($dom, fn(DOMDocument $d) => self::repeat($d, 1));
        $out["$name/repeated-many"] = self::mutate($dom, fn(DOMDocument $d) => self::repeat($d, 4));
        $out["$name/single"] = self::mutate($dom, fn(DOMDocument $d) => self::single($d));
        $out["$name/empties"] = self::mutate($dom, fn(DOMDocument $d) => self::empties($d));
        $out["$name/whitespace"] = self::mutate($dom, fn(DOMDocument $d) => self::whitespace($d));
        $out["$name/attributes"] = self::mutate($dom, fn(DOMDocument $d) => self::attributes($d));
        $out["$name/comments"] = self::mutate($dom, fn(DOMDocument $d) => self::comments($d));
        $out["$name/cdata"] = self::mutate($dom, fn(DOMDocument $d) => self::cdata($d));
        $out["$name/compact"] = self::mutate($dom, fn(DOMDocument $d) => self::compact($d));
        $out["$name/latin1"] = self::latin1($dom);
        return $out;
    }

    private static function load(string $xml): ?DOMDocument
    {
        $dom = new DOMDocument();
        return @$dom->loadXML($xml) ? $dom : null;
    }

    private static function mutate(DOMDocument $dom, callable $f): string
    {
        $copy = clone $dom;
        $f($copy);
        return $copy->saveXML();
    }

    /** Elements below CONTENT in document order (a snapshot). */
    private static function elements(DOMDocument $d, int $min_depth = 2): array
    {
        $out = [];
        foreach ((new DOMXPath($d))->query('/*/*' . str_repeat('/*', max(0, $min_depth - 2)) . '//*') as $e) {
            $out[] = $e;
        }
        return $out;
    }

    /** Every element with children below CONTENT gets $times copies of itself. */
    private static function repeat(DOMDocument $d, int $times): void
    {
        foreach (self::elements($d) as $e) {
            if (!$e->firstElementChild || $e->parentNode === null) {
                continue;
            }
            for ($i = 0; $i < $times; $i++) {
                $e->parentNode->insertBefore($e->cloneNode(true), $e->nextSibling);
            }
        }
    }

    /** Only the first of each repeated element is kept, so that each list has one item. */
    private static function single(DOMDocument $d): void
    {
        foreach (self::elements($d) as $e) {
            $prev = $e->previousElementSibling;
            while ($prev !== null) {
                if ($prev->nodeName === $e->nodeName) {
                    $e->parentNode?->removeChild($e);
                    break;
                }
                $prev = $prev->previousElementSibling;
            }
        }
    }

    private static function empties(DOMDocument $d): void
    {
        foreach (self::elements($d) as $e) {
            if ($e->firstElementChild) {
                $e->appendChild($d->createElement('EMPTY'));
                $e->insertBefore($d->createElement('NAME'), $e->firstChild);
                $nest = $d->createElement('NESTED');
                $nest->appendChild($d->createElement('INNER', ' '));
                $e->appendChild($nest);
            }
        }
    }

    private static function whitespace(DOMDocument $d): void
    {
        foreach (self::elements($d) as $e) {
            if ($e->firstElementChild) {
                $e->appendChild($d->createElement('BLANK', "  \n\t "));
                $e->insertBefore($d->createTextNode("\n    "), $e->firstChild);
            }
        }
    }

    private static function attributes(DOMDocument $d): void
    {
        $d->documentElement->setAttribute('version', '1');
        foreach (self::elements($d) as $i => $e) {
            $e->setAttribute('n', (string)$i);
        }
    }

    private static function comments(DOMDocument $d): void
    {
        foreach (self::elements($d) as $e) {
            if ($e->firstElementChild) {
                $e->insertBefore($d->createComment(' c '), $e->firstChild);
            }
        }
    }

    private static function cdata(DOMDocument $d): void
    {
        foreach (self::elements($d) as $e) {
            if (!$e->firstElementChild && $e->textContent !== '') {
                $text = $e->textContent;
                while ($e->firstChild) {
                    $e->removeChild($e->firstChild);
                }
                $e->appendChild($d->createCDATASection($text));
            }
        }
    }

    private static function compact(DOMDocument $d): void
    {
        foreach ((new DOMXPath($d))->query('//text()') as $t) {
            if (trim($t->nodeValue) === '') {
                $t->parentNode->removeChild($t);
            }
        }
    }

    /** The document in ISO-8859-1, with accented letters added to its names. */
    private static function latin1(DOMDocument $dom): string
    {
        $copy = clone $dom;
        foreach ((new DOMXPath($copy))->query('//NAME') as $n) {
            if (!$n->firstElementChild) {
                $n->nodeValue = $n->textContent . ' é à ü ñ ß';
            }
        }
        $copy->encoding = 'ISO-8859-1';
        return $copy->saveXML();
    }
}
