// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool that moves a batch's devices: every item runs once; with more
 * than one job on threads side by side, with one on the caller's thread; once
 * stopped nothing more starts, and the count returned is the prefix started.
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
	unsigned runs[ITEMS];
	pthread_t thread[ITEMS];
	unsigned ran, inside, most_inside;
	bool hold;                      /* items wait until ITEMS are inside at once */
	volatile sig_atomic_t *stop_at; /* set by item 0 */
};

static void run_item(void *data, unsigned i)
{
	struct record *r = data;
	struct timespec until;

	pthread_mutex_lock(&r->lock);
	r->runs[i]++;
	r->thread[i] = pthread_self();
	r->ran++;
	if (r->stop_at && i == 0)
		*r->stop_at = 1;
	if (++r->inside > r->most_inside)
		r->most_inside = r->inside;
	pthread_cond_broadcast(&r->changed);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (r->hold && r->most_inside < ITEMS &&
	       pthread_cond_timedwait(&r->changed, &r->lock, &until) == 0)
		;
	r->inside--;
	pthread_mutex_unlock(&r->lock);
}

#define RECORD_INIT { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER }

static void test_items_run_side_by_side(void **state)
{
	struct record r = RECORD_INIT;

	(void)state;
	r.hold = true;
	assert_int_equal(vb_pool_run(ITEMS, 16, run_item, &r, NULL), ITEMS);
	assert_int_equal(r.ran, ITEMS);
	/* Each item waited until all were inside: all ran at once, on threads of their own. */
	assert_int_equal(r.most_inside, ITEMS);
	for (unsigned i = 0; i < ITEMS; i++) {
		assert_int_equal(r.runs[i], 1);
		assert_false(pthread_equal(r.thread[i], pthread_self()));
	}
}

static void test_one_job_runs_on_the_callers_thread(void **state)
{
	struct record r = RECORD_INIT;

	(void)state;
	assert_int_equal(vb_pool_run(ITEMS, 1, run_item, &r, NULL), ITEMS);
	assert_int_equal(r.most_inside, 1);
	for (unsigned i = 0; i < ITEMS; i++) {
		assert_int_equal(r.runs[i], 1);
		assert_true(pthread_equal(r.thread[i], pthread_self()));
	}
}

static void test_nothing_starts_after_a_stop(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct record r = RECORD_INIT;

	(void)state;
	r.stop_at = &stop;
	assert_int_equal(vb_pool_run(ITEMS, 1, run_item, &r, &stop), 1);
	assert_int_equal(r.ran, 1);
	assert_int_equal(r.runs[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items_run_side_by_side),
		cmocka_unit_test(test_one_job_runs_on_the_callers_thread),
		cmocka_unit_test(test_nothing_starts_after_a_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
