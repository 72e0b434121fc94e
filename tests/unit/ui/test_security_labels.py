from softphone.engine.events import MediaSecurity
from softphone.policy import end_to_end
from softphone.ui.security_labels import LABELS, label_text


def test_security_labels_english_sources_are_the_engines_exact_words() -> None:
    engine = {
        end_to_end.LABEL_E2E_VERIFIED,
        end_to_end.LABEL_E2E_NOT_VERIFIED,
        end_to_end.LABEL_TO_SERVER,
        end_to_end.LABEL_NOT_ENCRYPTED,
    }
    assert set(LABELS) == engine
    assert all(source == english for english, source in LABELS.items())


def test_security_labels_untranslated_is_the_engines_label() -> None:
    media = MediaSecurity(True, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "sdes")
    assert label_text(media.label) == media.label == end_to_end.LABEL_TO_SERVER
    assert label_text("something new") == "something new"
