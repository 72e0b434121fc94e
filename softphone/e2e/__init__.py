"""End-to-end encrypted calls: DTLS-SRTP keys agreed between the two apps, verified aloud.

Design note (the modules below say how each part works; this says how they fit).

Why. SDES-SRTP over TLS (`softphone.engine`) is hop by hop: the SRTP keys travel in
the SDP, which every SIP proxy on the path decrypts and could read or rewrite. Here
the keys are agreed by a DTLS handshake between the two endpoints, and the two users
compare a short authentication string (SAS) that would differ if anyone sat in the
middle of that handshake.

Who owns what.
* pjsua2 keeps SIP: dialogs, REGISTER, re-INVITEs, transfers, the TLS hop. The
  installed pjsua2 wheel has no DTLS-SRTP, so `aiortc` owns the media of an
  end-to-end call: ICE (host candidates), DTLS-SRTP, Opus/PCMU, VP8.
* SDP layout (`wire`): pjsua's own SDES audio line stays m-line 0 (live, so an
  ordinary peer answers it and the call is an ordinary SDES call with no extra round
  trip); aiortc's lines follow it with a transport pjmedia does not know on the wire
  (`X-E2E/UDP/TLS/RTP/SAVPF`), so pjmedia builds no stream for them, BUNDLEd on one
  ICE/DTLS transport with one sha-256 fingerprint. Between two of our apps the
  answerer accepts those lines and marks m-line 0 `a=inactive`.
* The SAS (`sas`) comes from a hash commitment, as in ZRTP: the offer commits to a
  nonce, the answer carries the answerer's nonce, the offerer reveals its nonce
  only afterwards (an in-dialog SIP MESSAGE), and the SAS is a hash over both
  nonces and both DTLS fingerprints. `sas` explains why fingerprints alone are not
  enough.
* Identity (`identity`): one long-term DTLS certificate per account, kept in the
  secret store and rotated before it expires, so a contact once verified is
  recognised by its fingerprint on later calls, and a changed one is flagged.
* Threads: the engine thread owns pjsua2 and decides; every aiortc object lives on
  one asyncio loop thread (`loop`), never blocking the engine thread. They talk only
  through that loop's thread-safe entry points and the engine's command queue.
  Audio crosses between pjmedia's conference bridge (the same one the sound-device
  bridge and every other audio source use) and aiortc through `bridge`, two bounded
  frame queues.
"""
