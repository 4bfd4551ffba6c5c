; Inno Setup 6.3+ script: the Windows installer of CĐHT xã, built from the PyInstaller folder dist\cdht.
;
;   pyinstaller --noconfirm --clean build_installer.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 resources\installer\cdht.iss
;
; Output: dist\installer\CDHT-xa-<version>-cai-dat.exe. The program goes to Program Files; the commune's data
; stays in %LOCALAPPDATA%\CDHT-xa (platformdirs), which this installer never creates, changes or uninstalls.
; The installer speaks Vietnamese when Vietnamese.isl (Inno Setup's unofficial translation) sits beside
; this script; otherwise it falls back to English.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "CĐHT xã"
#define GuiExe "cdht-gui.exe"

[Setup]
AppId={{6F1C2B7E-5D3A-4C8B-9E21-CD47A0B1C2D5}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CĐHT xã
DefaultDirName={autopf}\CDHT-xa
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=..\icons\cdht.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist\installer
OutputBaseFilename=CDHT-xa-{#AppVersion}-cai-dat
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
#ifexist "Vietnamese.isl"
Name: "vi"; MessagesFile: "Vietnamese.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Files]
Source: "..\..\dist\cdht\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; A previous version's libraries are replaced as a whole (never mix two versions' _internal folders).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Comment: "Tự đánh giá, lập hồ sơ công nhận Cộng đồng học tập cấp xã"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Comment: "Tự đánh giá, lập hồ sơ công nhận Cộng đồng học tập cấp xã"

[Run]
Filename: "{app}\{#GuiExe}"; Description: "Mở {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself left in its install folder; the user's data in %LOCALAPPDATA% is kept.
Type: filesandordirs; Name: "{app}\_internal"
