"""The receiving side (Sở/Phòng GDĐT): many communes' dossier packages registered, verified and appraised, the
council's documents drafted, and each commune's result sent back as a signed package.

It lives beside the commune's services and shares the rules engine (`app.domain`), the package verifier
(`app.dossier`) and the NĐ 30 document engine (`app.documents`). Its data is a database of its own
(`RecipientWorkspace`), never a commune's.
"""
