// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool that moves a batch's devices: an item starts as soon as it is
 * handed over, while the caller is still deciding the next ones; the count
 * returned is the prefix that started; one job runs on the caller's thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pool.h"

#define ITEMS 8

struct record {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool started[ITEMS];
	pthread_t thread[ITEMS];
	unsigned ran;
	volatile sig_atomic_t *stop_after_first; /* set once item 0 has run */
};

static void note_start(void *data, unsigned i)
{
	struct record *r = data;

	pthread_mutex_lock(&r->lock);
	r->started[i] = true;
	r->thread[i] = pthread_self();
	r->ran++;
	if (r->stop_after_first && i == 0)
		*r->stop_after_first = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

/* Whether item i starts within 10 s, while nothing more is handed over. */
static bool starts_alone(struct record *r, unsigned i)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&r->lock);
	while (!r->started[i] && pthread_cond_timedwait(&r->changed, &r->lock, &until) == 0)
		;
	ok = r->started[i];
	pthread_mutex_unlock(&r->lock);
	return ok;
}

static void test_an_item_starts_before_the_next_is_handed_over(void **state)
{
	struct record r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
	struct vb_pool *p = vb_pool_new(ITEMS, 4, note_start, &r, NULL);

	(void)state;
	assert_non_null(p);
	for (unsigned i = 0; i < ITEMS; i++) {
		vb_pool_add(p, i);
		assert_true(starts_alone(&r, i));
		assert_false(pthread_equal(r.thread[i], pthread_self()));
	}
	assert_int_equal(vb_pool_finish(p), ITEMS);
	assert_int_equal(r.ran, ITEMS);
}

static void test_one_job_runs_each_item_on_the_callers_thread_at_once(void **state)
{
	struct record r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
	struct vb_pool *p = vb_pool_new(ITEMS, 1, note_start, &r, NULL);

	(void)state;
	assert_non_null(p);
	for (unsigned i = 0; i < ITEMS; i++) {
		vb_pool_add(p, i);
		/* Done before vb_pool_add returned: no waiting. */
		assert_true(r.started[i]);
		assert_true(pthread_equal(r.thread[i], pthread_self()));
	}
	assert_int_equal(vb_pool_finish(p), ITEMS);
}

static void test_nothing_starts_after_a_stop(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct record r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
	struct vb_pool *p;

	(void)state;
	r.stop_after_first = &stop;
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		stop = 0;
		memset(r.started, 0, sizeof(r.started));
		r.ran = 0;
		p = vb_pool_new(ITEMS, jobs, note_start, &r, &stop);
		assert_non_null(p);
		vb_pool_add(p, 0);
		assert_true(starts_alone(&r, 0));
		for (unsigned i = 1; i < ITEMS; i++)
			vb_pool_add(p, i);
		assert_int_equal(vb_pool_finish(p), 1);
		assert_int_equal(r.ran, 1);
	}
}

static void test_the_batch_form_runs_every_item_once(void **state)
{
	struct record r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

	(void)state;
	assert_int_equal(vb_pool_run(ITEMS, 3, note_start, &r, NULL), ITEMS);
	assert_int_equal(r.ran, ITEMS);
	for (unsigned i = 0; i < ITEMS; i++)
		assert_true(r.started[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_item_starts_before_the_next_is_handed_over),
		cmocka_unit_test(test_one_job_runs_each_item_on_the_callers_thread_at_once),
		cmocka_unit_test(test_nothing_starts_after_a_stop),
		cmocka_unit_test(test_the_batch_form_runs_every_item_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
