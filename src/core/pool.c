// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"

/* A worker writes to sysfs and reads small files: far less than the default 8 MiB. */
#define WORKER_STACK (256 * 1024)

struct vb_pool {
	pthread_mutex_t lock;
	pthread_cond_t more; /* an item was added, or the pool was closed */
	unsigned *items;     /* in the order added */
	unsigned n, size;
	unsigned next; /* the next item to start: the items before it were started */
	unsigned busy; /* workers inside fn */
	bool closed;
	pthread_t *threads;
	unsigned made, jobs;
	void (*fn)(void *data, unsigned i);
	void *data;
	const volatile sig_atomic_t *stop;
};

static bool stopped(const struct vb_pool *p)
{
	return p->stop && __atomic_load_n(p->stop, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	struct vb_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		unsigned i;

		while (!p->closed && p->next == p->n && !stopped(p))
			pthread_cond_wait(&p->more, &p->lock);
		if (stopped(p) || p->next == p->n)
			break;
		i = p->items[p->next++];
		p->busy++;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->data, i);
		pthread_mutex_lock(&p->lock);
		p->busy--;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct vb_pool *vb_pool_new(unsigned max, unsigned jobs, void (*fn)(void *data, unsigned i),
			    void *data, const volatile sig_atomic_t *stop)
{
	struct vb_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	*p = (struct vb_pool){ .size = max, .jobs = jobs ? jobs : 1, .fn = fn, .data = data,
			       .stop = stop };
	p->items = calloc(max ? max : 1, sizeof(*p->items));
	/* No threads to be had is not an error: the caller's thread does the work. */
	if (p->jobs > 1)
		p->threads = calloc(p->jobs, sizeof(*p->threads));
	if (!p->items || pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p->items);
		free(p->threads);
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->more, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		free(p->items);
		free(p->threads);
		free(p);
		return NULL;
	}
	return p;
}

/* Called with the lock held. The threads inherit the mask: the stop signals go to the caller. */
static bool add_worker(struct vb_pool *p)
{
	sigset_t block, old;
	pthread_attr_t attr;
	bool ok;

	if (!p->threads || p->made >= p->jobs || pthread_attr_init(&attr) != 0)
		return false;
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	ok = pthread_create(&p->threads[p->made], &attr, worker, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	p->made += ok;
	return ok;
}

void vb_pool_add(struct vb_pool *p, unsigned i)
{
	bool here = false;

	pthread_mutex_lock(&p->lock);
	if (p->n == p->size) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	p->items[p->n++] = i;
	/* The workers not inside fn take the waiting items: one more while they are too few. */
	if (p->n - p->next > p->made - p->busy)
		(void)add_worker(p);
	if (p->made == 0 && !stopped(p)) {
		p->next++;
		here = true;
	}
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
	if (here)
		p->fn(p->data, i);
}

unsigned vb_pool_finish(struct vb_pool *p)
{
	unsigned started;

	pthread_mutex_lock(&p->lock);
	p->closed = true;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
	for (unsigned t = 0; t < p->made; t++)
		pthread_join(p->threads[t], NULL);
	started = p->next;
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->lock);
	free(p->items);
	free(p->threads);
	free(p);
	return started;
}

unsigned vb_pool_run(unsigned n, unsigned jobs, void (*fn)(void *data, unsigned i), void *data,
		     const volatile sig_atomic_t *stop)
{
	struct vb_pool *p = vb_pool_new(n, jobs, fn, data, stop);
	unsigned i = 0;

	/* Not even the pool: one after the other on the caller's thread. */
	if (!p) {
		for (; i < n && !(stop && __atomic_load_n(stop, __ATOMIC_RELAXED)); i++)
			fn(data, i);
		return i;
	}
	for (; i < n; i++)
		vb_pool_add(p, i);
	return vb_pool_finish(p);
}
