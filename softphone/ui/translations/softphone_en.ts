<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ContactText</name>
    <message numerus="yes">
        <source>Merged %n contacts into {groups}:</source>
        <translation>
            <numerusform>Merged %n contact into {groups}:</numerusform>
            <numerusform>Merged %n contacts into {groups}:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicates removed.</source>
        <translation>
            <numerusform>%n duplicate removed.</numerusform>
            <numerusform>%n duplicates removed.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ContactsView</name>
    <message numerus="yes">
        <source>Imported %n contacts, {merged} merged into existing contacts.</source>
        <translation>
            <numerusform>Imported %n contact, {merged} merged into existing contacts.</numerusform>
            <numerusform>Imported %n contacts, {merged} merged into existing contacts.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n contacts.</source>
        <translation>
            <numerusform>Imported %n contact.</numerusform>
            <numerusform>Imported %n contacts.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n contacts to {file}. The file is not encrypted: keep it safe and delete it when done.</source>
        <translation>
            <numerusform>Exported %n contact to {file}. The file is not encrypted: keep it safe and delete it when done.</numerusform>
            <numerusform>Exported %n contacts to {file}. The file is not encrypted: keep it safe and delete it when done.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PhrasePanel</name>
    <message numerus="yes">
        <source>✖  The phrase does NOT match (%n attempts). {what_to_do}</source>
        <translation>
            <numerusform>✖  The phrase does NOT match (%n attempt). {what_to_do}</numerusform>
            <numerusform>✖  The phrase does NOT match (%n attempts). {what_to_do}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SecondLegPanel</name>
    <message numerus="yes">
        <source>Conference: you and %n other calls, mixed together.</source>
        <translation>
            <numerusform>Conference: you and %n other call, mixed together.</numerusform>
            <numerusform>Conference: you and %n other calls, mixed together.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TodayText</name>
    <message numerus="yes">
        <source>running late: about %n min (said at {time})</source>
        <translation>
            <numerusform>running late: about %n min (said at {time})</numerusform>
            <numerusform>running late: about %n min (said at {time})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Appointment in %n min</source>
        <translation>
            <numerusform>Appointment in %n min</numerusform>
            <numerusform>Appointment in %n min</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message numerus="yes">
        <source>About %n min</source>
        <translation>
            <numerusform>About %n min</numerusform>
            <numerusform>About %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Marked as running late (%n min).</source>
        <translation>
            <numerusform>Marked as running late (%n min).</numerusform>
            <numerusform>Marked as running late (%n min).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n all-day</source>
        <translation>
            <numerusform>%n all-day</numerusform>
            <numerusform>%n all-day</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with no one to call</source>
        <translation>
            <numerusform>%n with no one to call</numerusform>
            <numerusform>%n with no one to call</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n cancelled</numerusform>
            <numerusform>%n cancelled</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n appointments (skipped: {skipped}).</source>
        <translation>
            <numerusform>Imported %n appointment (skipped: {skipped}).</numerusform>
            <numerusform>Imported %n appointments (skipped: {skipped}).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n appointments.</source>
        <translation>
            <numerusform>Imported %n appointment.</numerusform>
            <numerusform>Imported %n appointments.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n appointments to {file}. The file is not encrypted: keep it safe and delete it when done.</source>
        <translation>
            <numerusform>Exported %n appointment to {file}. The file is not encrypted: keep it safe and delete it when done.</numerusform>
            <numerusform>Exported %n appointments to {file}. The file is not encrypted: keep it safe and delete it when done.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message numerus="yes">
        <source>Use at least %n characters.</source>
        <translation>
            <numerusform>Use at least %n character.</numerusform>
            <numerusform>Use at least %n characters.</numerusform>
        </translation>
    </message>
</context>
</TS>
