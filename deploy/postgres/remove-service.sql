-- Removes everything one service stored, and optionally one cluster's membership, in one
-- transaction (run by remove-service.sh, which sets the psql variables service, cluster and
-- force). Refuses with an error, changing nothing, while the service or the cluster looks alive.

\set ON_ERROR_STOP on

-- A service whose segment figures changed in the last two minutes is still ingesting; a
-- cluster whose membership lists an active silo that said it was alive in the last two minutes
-- is still running. Removing rows under a running server would leave it with caches of
-- customers the database no longer has.
SELECT (:'force' = 'no'
        AND (EXISTS (SELECT 1 FROM customer360_segment
                     WHERE service_id = :'service' AND updated_at > now() - interval '2 minutes')
             OR EXISTS (SELECT 1 FROM Customer360Membership
                        WHERE DeploymentId = :'cluster' AND Status = 3
                          AND IAmAliveTime > now() - interval '2 minutes'))) AS alive \gset
\if :alive
DO $refuse$
BEGIN
    RAISE EXCEPTION 'refused: the service or the cluster was active in the last two minutes; stop its servers first (or pass --force)';
END
$refuse$;
\endif

-- The log refers to its customers by key, so its entries go first, found through the service's
-- customers, then the customers themselves. Each statement reports the table and its rows removed.
WITH r AS (DELETE FROM customer360_log
           WHERE customer_key IN (SELECT customer_key FROM customer360_customer WHERE service_id = :'service')
           RETURNING 1)
SELECT 'customer360_log', count(*) FROM r;
WITH r AS (DELETE FROM customer360_customer WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_customer', count(*) FROM r;
WITH r AS (DELETE FROM customer360_snapshot WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_snapshot', count(*) FROM r;
WITH r AS (DELETE FROM customer360_checkpoint WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_checkpoint', count(*) FROM r;
WITH r AS (DELETE FROM customer360_segment_bucket WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_segment_bucket', count(*) FROM r;
WITH r AS (DELETE FROM customer360_segment_member WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_segment_member', count(*) FROM r;
WITH r AS (DELETE FROM customer360_segment WHERE service_id = :'service' RETURNING 1) SELECT 'customer360_segment', count(*) FROM r;
WITH r AS (DELETE FROM Customer360GrainState WHERE ServiceId = :'service' RETURNING 1) SELECT 'Customer360GrainState', count(*) FROM r;

-- The cluster's silos, then its version row (which they refer to).
WITH r AS (DELETE FROM Customer360Membership WHERE DeploymentId = :'cluster' RETURNING 1) SELECT 'Customer360Membership', count(*) FROM r;
WITH r AS (DELETE FROM Customer360MembershipVersion WHERE DeploymentId = :'cluster' RETURNING 1) SELECT 'Customer360MembershipVersion', count(*) FROM r;
