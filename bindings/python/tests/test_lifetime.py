"""Closing, context managers, finalizers and freeing order."""

import gc
import os
import threading

import hsclass


def rss_pages():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1])


def test_session_outlives_a_closed_model(model_path):
    m = hsclass.Model(model_path)
    expect = m.classify("frozen beef", k=3)
    s = m.session()
    m.close()
    assert s.classify("frozen beef", k=3) == expect
    assert s.tokens("frozen beef")
    s.close()
    s.close()
    assert s.closed


def test_session_outlives_a_deleted_model(model_path):
    m = hsclass.Model(model_path)
    expect = m.classify("fresh apricots", k=3)
    s = m.session()
    model_finalizer = m._finalizer
    del m
    gc.collect()
    assert s.model is not None  # the session keeps its Model object
    assert s.classify("fresh apricots", k=3) == expect
    sess_finalizer = s._finalizer
    del s
    gc.collect()
    assert not sess_finalizer.alive and not model_finalizer.alive


def test_model_freed_before_its_thread_sessions(model_path):
    m = hsclass.Model(model_path)
    expect = m.classify("beef")  # creates this thread's session
    sessions = list(m._sessions)
    assert len(sessions) == 1
    finalizer = m._finalizer
    del m
    gc.collect()
    assert not finalizer.alive  # the model's own reference is gone...
    assert sessions[0].classify("beef") == expect  # ...the session's is not
    last = sessions[0]._finalizer
    del sessions
    gc.collect()
    assert not last.alive


def test_close_frees_the_sessions_of_every_thread(model_path):
    m = hsclass.Model(model_path)
    done = threading.Event()
    release = threading.Event()

    def run():
        m.classify("frozen beef")
        done.set()
        release.wait(30)

    t = threading.Thread(target=run)
    t.start()
    done.wait(30)
    m.classify("frozen beef")
    sessions = list(m._sessions)
    assert len(sessions) == 2
    m.close()
    assert all(s.closed for s in sessions)
    release.set()
    t.join()


def test_context_managers(model_path):
    with hsclass.Model(model_path) as m:
        with m.session(config={"max_text_bytes": 100}) as s:
            assert s.classify("beef")
        assert s.closed and not m.closed
    assert m.closed


def test_thread_exit_frees_its_session(model_path):
    with hsclass.Model(model_path) as m:
        def run():
            m.classify("beef")

        for _ in range(5):
            t = threading.Thread(target=run)
            t.start()
            t.join()
        gc.collect()
        assert len(m._sessions) == 0


def test_ten_thousand_calls_keep_memory_stable(model):
    texts = ["frozen boneless beef cuts 20kg ctns", "viande bovine désossée congelée",
             "carne bovina desossada congelada", b"bad \xff", "fresh apricots"]

    def loop(n):
        for i in range(n):
            t = texts[i % len(texts)]
            try:
                model.classify(t, k=5)
                model.classify(t, k=3, level=4)
            except hsclass.BadUTF8:
                pass

    loop(1000)  # warm up caches and the allocator
    gc.collect()
    before = rss_pages()
    loop(10_000)
    gc.collect()
    growth_kib = (rss_pages() - before) * os.sysconf("SC_PAGE_SIZE") // 1024
    assert growth_kib < 1024, f"RSS grew by {growth_kib} KiB"


def test_sessions_and_models_created_in_a_loop_do_not_leak(model_path):
    data = model_path.read_bytes()

    def loop(n):
        for _ in range(n):
            with hsclass.Model.from_bytes(data) as m:
                with m.session() as s:
                    s.classify("frozen beef")
            with hsclass.Session(config={"languages": "en"}) as s:
                s.tokens("frozen beef")

    loop(20)
    gc.collect()
    before = rss_pages()
    loop(200)
    gc.collect()
    growth_kib = (rss_pages() - before) * os.sysconf("SC_PAGE_SIZE") // 1024
    assert growth_kib < 4096 + len(data) // 1024, f"RSS grew by {growth_kib} KiB"
