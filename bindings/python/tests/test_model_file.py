"""Model files that are not what they seem (issue 12): a loaded model is
unaffected by its file being rewritten or truncated while threads classify;
devices and FIFOs stop at max_model_bytes or read as empty; save never
replaces a device, FIFO or directory."""
import os
import threading

import pytest

import hsclass

TEXTS = ["frozen boneless beef", "apricots, fresh", "airbags for motor vehicles"]


def test_live_model_survives_its_file(model_path, tmp_path):
    live = tmp_path / "live.hscm"
    data = model_path.read_bytes()
    live.write_bytes(data)
    with hsclass.Model(live) as m:
        first = [m.classify(t, 3) for t in TEXTS]
        stop = threading.Event()
        seen = {"runs": 0, "changed": 0, "errors": []}

        def loop():
            try:
                while not stop.is_set():
                    for t, want in zip(TEXTS, first):
                        if m.classify(t, 3) != want:
                            seen["changed"] += 1
                        seen["runs"] += 1
            except Exception as exc:   # noqa: BLE001 - reported below
                seen["errors"].append(exc)

        threads = [threading.Thread(target=loop) for _ in range(2)]
        for th in threads:
            th.start()
        for i in range(30):   # cp-style rewrites, truncation, garbage
            with open(live, "r+b") as f:
                f.truncate(0)
                f.write(data[: len(data) // (1 + i % 3)] if i % 2 else b"\x5a" * len(data))
            os.truncate(live, (i % 4) * 100)
        stop.set()
        for th in threads:
            th.join()
        assert seen["errors"] == [] and seen["changed"] == 0 and seen["runs"] > 0
        assert [m.classify(t, 3) for t in TEXTS] == first


def test_mapped_model_is_an_option(model_path):
    with hsclass.Model(model_path, config={"model_mmap": True}) as mapped, \
            hsclass.Model(model_path) as read:
        assert mapped.classify(TEXTS[0]) == read.classify(TEXTS[0])


def test_devices_and_fifos(tmp_path):
    with pytest.raises(hsclass.ModelError) as info:
        hsclass.Model("/dev/zero", config={"max_model_bytes": 1 << 20})
    assert info.value.status == 47   # HSC_E_MODEL_LIMIT
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(hsclass.CorruptModel):   # empty: no writer, no wait
        hsclass.Model(fifo)


def test_save_refuses_what_is_not_a_regular_file(model, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        with pytest.raises(hsclass.FileError) as info:
            model.save(path)
        assert str(path) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]
