"""Sound and video devices: the audio bridge core, device lists, PortAudio streams, cameras.

Nothing here imports pjsua2: the pjmedia side of the bridge (`engine/audio.py`)
hands this package plain memory addresses and sample counts.
"""
