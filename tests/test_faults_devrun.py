"""Found on a bad day: `make run` stopped and started again kept no Redis
data, so every scheduled reminder and queued job went with it."""
import redis

from scrutiny.devrun import private_redis


def test_make_runs_redis_keeps_its_jobs_across_a_restart(tmp_path):
    with private_redis(tmp_path) as url:
        redis.Redis.from_url(url).set("rq:job:reminder", "a reminder for next week")
    with private_redis(tmp_path) as url:
        assert redis.Redis.from_url(url).get("rq:job:reminder") == b"a reminder for next week"
    assert any((tmp_path / "redis").rglob("*.aof"))  # under instance/, beside the database
